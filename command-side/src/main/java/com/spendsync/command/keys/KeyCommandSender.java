package com.spendsync.command.keys;

import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.util.Map;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.stereotype.Component;

/** Sends a command on behalf of a caller, whose key id and address become metadata of every resulting event. */
@Component
public class KeyCommandSender {

    private final CommandGateway gateway;

    public KeyCommandSender(CommandGateway gateway) {
        this.gateway = gateway;
    }

    public <R> R send(Object command, Caller caller) {
        return gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command).andMetaData(
                Map.of(AxonMongoConfiguration.ACTOR, caller.keyId(), AxonMongoConfiguration.SOURCE, caller.source())));
    }

    /** For what SpendSync does by itself (bootstrap, expiry): the actor names the mechanism, not a key. */
    public <R> R sendAsSystem(Object command, String actor) {
        return gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, actor)));
    }
}

package com.spendsync.command.keys;

import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.axon.AxonMongoConfiguration;
import java.util.Map;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.stereotype.Component;

/** Sends a command on behalf of a caller, whose key id and address become metadata of every resulting event. */
@Component
public class KeyCommandSender {

    /**
     * How often a caller's command is tried when the key changed underneath it. Each command side caches the keys it
     * handled; another instance's change (a usage flush, another caller's command) makes that copy stale, and the
     * event store's unique sequence refuses what it decided. The rollback drops the copy, so the next try decides
     * on the key as stored: the caller never sees a conflict that only this instance's cache had.
     */
    static final int ATTEMPTS = 3;

    private final CommandGateway gateway;

    public KeyCommandSender(CommandGateway gateway) {
        this.gateway = gateway;
    }

    public <R> R send(Object command, Caller caller) {
        for (int attempt = 1; ; attempt++) {
            try {
                return gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command).andMetaData(Map.of(
                        AxonMongoConfiguration.ACTOR, caller.keyId(), AxonMongoConfiguration.SOURCE, caller.source())));
            } catch (ConcurrencyException stale) {
                if (attempt == ATTEMPTS) {
                    throw stale;
                }
            }
        }
    }

    /** For what SpendSync does by itself (bootstrap, expiry): the actor names the mechanism, not a key. */
    public <R> R sendAsSystem(Object command, String actor) {
        return gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                .andMetaData(Map.of(AxonMongoConfiguration.ACTOR, actor)));
    }
}

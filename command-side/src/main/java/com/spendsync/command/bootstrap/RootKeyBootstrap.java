package com.spendsync.command.bootstrap;

import com.spendsync.api.apikey.CreateApiKeyCommand;
import com.spendsync.api.apikey.Permissions;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.command.keys.KeyCommandSender;
import com.spendsync.platform.config.SpendSyncProperties;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Gives a store its first root key, with {@code *}: {@code SPENDSYNC_BOOTSTRAP_KEY} if set (refused if malformed or
 * {@linkplain GuessableKeys guessable}), else a generated key printed once to the console (standard output, never
 * the log) and written to {@link BootstrapKeyFile}. The key has a fixed id, so the event store's unique index lets
 * exactly one of several instances starting together create it, and a store bootstraps only once.
 */
@Component
class RootKeyBootstrap implements ApplicationRunner {

    static final String BOOTSTRAP_KEY_ID = "key_bootstrapRootKey000000";
    static final String ACTOR = "system:bootstrap";
    private static final Logger log = LoggerFactory.getLogger(RootKeyBootstrap.class);

    private final EventStore eventStore;
    private final KeyCommandSender commands;
    private final SecureRandom random;
    private final Clock clock;
    private final String configuredKey;
    private final PrintStream console;
    private final Path dataDirectory;

    RootKeyBootstrap(EventStore eventStore, KeyCommandSender commands, SecureRandom random, Clock clock,
                     SpendSyncProperties properties,
                     @Value("${spendsync.data-dir}") Path dataDirectory) {
        this.eventStore = eventStore;
        this.commands = commands;
        this.random = random;
        this.clock = clock;
        this.configuredKey = properties.auth().bootstrapKey();
        this.console = System.out;
        this.dataDirectory = dataDirectory;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        if (eventStore.lastSequenceNumberFor(BOOTSTRAP_KEY_ID).isPresent()) {
            return;
        }
        boolean generated = !StringUtils.hasText(configuredKey);
        ApiKeySecret secret = generated ? ApiKeySecret.generate(KeyEnvironment.LIVE, random) : configured();
        try {
            commands.sendAsSystem(new CreateApiKeyCommand(BOOTSTRAP_KEY_ID, secret.hash(), secret.prefix(),
                    secret.environment(), "spendsync", "bootstrap root key", List.of(Permissions.ALL), null, null,
                    null, null, Map.of(), clock.instant(), Authority.SYSTEM), ACTOR);
        } catch (AggregateStreamCreationException | ConcurrencyException alreadyCreated) {
            log.info("Another instance created the bootstrap root key first");
            return;
        }
        log.info("Bootstrap root key {} created with permission * (prefix {})", BOOTSTRAP_KEY_ID, secret.prefix());
        if (generated) {
            show(secret);
        }
    }

    private void show(ApiKeySecret secret) {
        console.println();
        console.println("SpendSync bootstrap root key (shown once, store it now): " + secret.reveal());
        try {
            console.println("It is also in " + BootstrapKeyFile.write(dataDirectory, secret)
                    + ", readable by this user only: delete that file once the key is stored elsewhere.");
        } catch (IOException | UnsupportedOperationException e) {
            // unsupported: a file system without POSIX permissions (Windows) cannot make it owner-only
            log.warn("The bootstrap root key could not be written to {}: {}",
                    dataDirectory.resolve(BootstrapKeyFile.NAME), e.toString());
        }
        console.println();
    }

    private ApiKeySecret configured() {
        ApiKeySecret secret = ApiKeySecret.parse(configuredKey.trim()).orElseThrow(() -> new IllegalStateException(
                "SPENDSYNC_BOOTSTRAP_KEY is not a well-formed SpendSync key (ss_live_ or ss_test_, "
                        + "43 base62 characters, 6 checksum characters)"));
        GuessableKeys.reason(secret).ifPresent(reason -> {
            throw new IllegalStateException("SPENDSYNC_BOOTSTRAP_KEY " + reason
                    + ": give a key made from 32 random bytes, or leave it unset to have one generated");
        });
        return secret;
    }
}

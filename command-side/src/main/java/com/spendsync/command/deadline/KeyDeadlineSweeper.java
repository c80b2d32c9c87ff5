package com.spendsync.command.deadline;

import com.spendsync.api.apikey.EndRotationGraceCommand;
import com.spendsync.api.apikey.ExpireApiKeyCommand;
import com.spendsync.command.keys.KeyCommandSender;
import java.time.Clock;
import java.time.Instant;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Records expiries and grace ends that have come due, within one sweep interval of their instant (verification
 * already applies them at the instant itself). The commands are idempotent, so several instances may sweep at once.
 */
@Component
class KeyDeadlineSweeper {

    static final String ACTOR = "system:deadlines";
    private static final int BATCH = 500;
    private static final Logger log = LoggerFactory.getLogger(KeyDeadlineSweeper.class);

    private final KeyDeadlines deadlines;
    private final KeyCommandSender commands;
    private final Clock clock;

    KeyDeadlineSweeper(KeyDeadlines deadlines, KeyCommandSender commands, Clock clock) {
        this.deadlines = deadlines;
        this.commands = commands;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${spendsync.deadlines.sweep-interval:PT1S}")
    void sweep() {
        Instant now = clock.instant();
        for (KeyDeadlines.Deadline deadline : deadlines.dueBy(now, BATCH)) {
            try {
                if (deadline.expiresAt() != null && !deadline.expiresAt().isAfter(now)) {
                    commands.sendAsSystem(new ExpireApiKeyCommand(deadline.keyId(), now), ACTOR);
                } else if (deadline.graceEndsAt() != null && !deadline.graceEndsAt().isAfter(now)) {
                    commands.sendAsSystem(new EndRotationGraceCommand(deadline.keyId(), now), ACTOR);
                }
            } catch (ConcurrencyException raced) {
                log.debug("Key {} changed while its deadline was recorded; the next sweep looks again",
                        deadline.keyId());
            } catch (RuntimeException e) {
                log.warn("Could not record the deadline of key {}: {}", deadline.keyId(), e.toString());
            }
        }
    }
}

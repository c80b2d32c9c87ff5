package com.spendsync.command.keys;

import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.Change;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.CreateApiKeyCommand;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.RevokeApiKeyCommand;
import com.spendsync.api.apikey.RotateApiKeyCommand;
import com.spendsync.api.apikey.UpdateApiKeyCommand;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.apikey.RotatedSecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.SecretRandom;
import com.spendsync.command.apikey.KeySettings;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import com.spendsync.platform.config.SpendSyncProperties;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The key lifecycle endpoints: each validates, then sends one command to the {@code ApiKey} aggregate. */
@RestController
@RequestMapping("/v1/keys")
class KeyCommandController {

    private final KeyCommandSender commands;
    private final KeyRequestValidator validator;
    private final SecureRandom random;
    private final Clock clock;
    private final Duration defaultRotationGrace;

    KeyCommandController(KeyCommandSender commands, KeyRequestValidator validator, SecureRandom random, Clock clock,
                         SpendSyncProperties properties) {
        this.commands = commands;
        this.validator = validator;
        this.random = random;
        this.clock = clock;
        this.defaultRotationGrace = properties.rotationGrace();
    }

    @PostMapping
    @RequiresPermission("keys:create")
    ResponseEntity<KeyResponses.Created> create(@RequestBody KeyRequests.Create request, Caller caller) {
        Instant now = clock.instant();
        validator.validateCreate(request, now);
        Authority authority = caller.authority();
        KeyEnvironment environment = authority.environmentOfNewKey(request.environment());
        KeyScope scope = authority.scopeOfNewKey(KeyRequestValidator.toScope(request.scope()), request.permissions());
        List<String> allowedSources = AllowedSources.canonicalAll(request.allowedSources());
        List<RateLimitPolicy> rateLimits = KeyRequestValidator.toPolicies(request.rateLimit(), request.rateLimits());
        ApiKeySecret secret = ApiKeySecret.forOwner(request.ownerId(), environment, SecretRandom.generate(random));
        String keyId = KeyIds.next(random);
        commands.send(new CreateApiKeyCommand(keyId, secret.hash(), secret.prefix(), environment, request.ownerId(),
                request.name(), List.copyOf(request.permissions()), scope, request.expiresAt(), rateLimits,
                allowedSources, request.metadata(), now, authority), caller);
        return ResponseEntity.created(URI.create("/v1/keys/" + keyId)).body(new KeyResponses.Created(keyId,
                secret.reveal(), secret.prefix(), request.ownerId(), request.name(), environment,
                request.permissions(), scope, KeyStatus.ACTIVE, now, request.expiresAt(), rateLimits, allowedSources,
                request.metadata()));
    }

    @PostMapping("/{keyId}/rotate")
    @RequiresPermission("keys:rotate")
    KeyResponses.Rotated rotate(@PathVariable String keyId,
                                @RequestBody(required = false) KeyRequests.Rotate request, Caller caller) {
        Duration grace = validator.validateRotate(request, defaultRotationGrace);
        KeyIds.requireWellFormed(keyId);
        RotatedSecret rotated = commands.send(
                new RotateApiKeyCommand(keyId, SecretRandom.generate(random), grace, clock.instant(),
                        caller.authority()), caller);
        ApiKeySecret secret = rotated.secret();
        return new KeyResponses.Rotated(keyId, secret.reveal(), secret.prefix(), rotated.previousKeyExpiresAt());
    }

    @PostMapping("/{keyId}/revoke")
    @RequiresPermission("keys:revoke")
    KeyResponses.Revoked revoke(@PathVariable String keyId, @RequestBody KeyRequests.Revoke request,
                                Caller caller) {
        String reason = validator.validateRevoke(request);
        KeyIds.requireWellFormed(keyId);
        Instant now = clock.instant();
        commands.send(new RevokeApiKeyCommand(keyId, reason, now, caller.authority()), caller);
        return new KeyResponses.Revoked(keyId, KeyStatus.REVOKED, now);
    }

    @PatchMapping("/{keyId}")
    @RequiresPermission("keys:update")
    KeySettings update(@PathVariable String keyId, @RequestBody KeyRequests.Update request, Caller caller) {
        Instant now = clock.instant();
        KeyRequests.Changes changes = validator.readUpdate(request, now);
        KeyIds.requireWellFormed(keyId);
        return commands.send(new UpdateApiKeyCommand(keyId, changes.name(), changes.permissions(),
                changes.scope() == null ? null : Change.to(KeyRequestValidator.toScope(changes.scope().value())),
                changes.metadata(),
                changes.rateLimits() == null ? null : Change.to(changes.rateLimits().value() == null ? List.of()
                        : KeyRequestValidator.toPolicies(null, changes.rateLimits().value())),
                changes.rateLimit() == null ? null : Change.to(KeyRequestValidator.toPolicy(changes.rateLimit().value())),
                changes.allowedSources() == null ? null
                        : Change.to(AllowedSources.canonicalAll(changes.allowedSources().value())),
                changes.expiresAt(), now, caller.authority()), caller);
    }
}

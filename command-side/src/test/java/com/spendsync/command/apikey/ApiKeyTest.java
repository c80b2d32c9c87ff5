package com.spendsync.command.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.spendsync.api.apikey.ApiKeyCreatedEvent;
import com.spendsync.api.apikey.ApiKeyExpiredEvent;
import com.spendsync.api.apikey.ApiKeyRevokedEvent;
import com.spendsync.api.apikey.ApiKeyRotatedEvent;
import com.spendsync.api.apikey.ApiKeyRotationGraceEndedEvent;
import com.spendsync.api.apikey.ApiKeyUpdatedEvent;
import com.spendsync.api.apikey.ApiKeyUsedEvent;
import com.spendsync.api.apikey.Change;
import com.spendsync.api.apikey.CreateApiKeyCommand;
import com.spendsync.api.apikey.EndRotationGraceCommand;
import com.spendsync.api.apikey.ExpireApiKeyCommand;
import com.spendsync.api.apikey.KeyStatus;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import com.spendsync.api.apikey.RecordKeyUsageCommand;
import com.spendsync.api.apikey.RevokeApiKeyCommand;
import com.spendsync.api.apikey.RotateApiKeyCommand;
import com.spendsync.api.apikey.RotatedSecret;
import com.spendsync.api.apikey.UpdateApiKeyCommand;
import com.spendsync.api.apikey.UsageBatch;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.AuthorityException;
import com.spendsync.api.authority.AuthorityException.Reason;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.HashSlot;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.api.keyformat.SecretRandom;
import com.spendsync.platform.problem.InvalidRequestException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.ResultValidator;
import org.axonframework.test.matchers.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyTest {

    private static final String KEY_ID = "key_0001";
    private static final String OWNER_ID = "team-payments";
    private static final String NAME = "checkout service";
    private static final List<String> PERMISSIONS = List.of("payments:read", "refunds:*");
    private static final Map<String, Object> METADATA = Map.of("team", "payments", "tier", 2);
    private static final RateLimitPolicy RATE_LIMIT = new RateLimitPolicy(100, 60);
    private static final List<RateLimitPolicy> RATE_LIMITS = List.of(RATE_LIMIT);

    private static final Instant CREATED_AT = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant FIRST_ROTATION_AT = Instant.parse("2030-02-01T00:00:00Z");
    private static final Instant LATER = Instant.parse("2030-03-01T00:00:00Z");
    private static final Instant EXPIRES_AT = Instant.parse("2030-07-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofDays(1);
    private static final Instant FIRST_GRACE_END = FIRST_ROTATION_AT.plus(GRACE);

    private static final ApiKeySecret ORIGINAL = ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
    private static final SecretRandom FIRST_ROTATION_RANDOM = SecretRandom.generate(new SecureRandom());
    private static final ApiKeySecret FIRST_ROTATED = ApiKeySecret.rotatedFrom(ORIGINAL.hash(), KeyEnvironment.LIVE,
            FIRST_ROTATION_RANDOM);

    /** A root key that may do anything: the tests of the lifecycle are not about authority. */
    private static final Authority ROOT = new Authority("key_root", List.of("*"), null, KeyEnvironment.LIVE);

    private AggregateTestFixture<ApiKey> fixture;

    @BeforeEach
    void newFixture() {
        fixture = new AggregateTestFixture<>(ApiKey.class);
    }

    @Nested
    class NamedLimits {

        private final RateLimitPolicy tokens = new RateLimitPolicy("tokens", 1_000_000, 86_400,
                RateLimitSharing.OWNER);
        private final RateLimitPolicy writes = new RateLimitPolicy("writes", 2, 60, RateLimitSharing.KEY);
        private final ApiKeySecret inOwnersSlot = ApiKeySecret.forOwner(OWNER_ID, KeyEnvironment.LIVE,
                SecretRandom.generate(new SecureRandom()));
        /** A key created before owner-wide limits: its secret lies in a slot of its own. */
        private final ApiKeySecret outsideOwnersSlot = ApiKeySecret.inSlot(
                (ApiKeySecret.ownerSlot(OWNER_ID) + 1) % HashSlot.COUNT, KeyEnvironment.LIVE,
                SecretRandom.generate(new SecureRandom()));

        @Test
        void aKeyInItsOwnersSlotRecordsItsLimitsOwnerWideOnesIncluded() {
            List<RateLimitPolicy> limits = List.of(RATE_LIMIT, tokens, writes);
            fixture.givenNoPriorActivity()
                    .when(create(inOwnersSlot, limits))
                    .expectEvents(new ApiKeyCreatedEvent(KEY_ID, inOwnersSlot.hash(), inOwnersSlot.prefix(),
                            KeyEnvironment.LIVE, OWNER_ID, NAME, PERMISSIONS, null, EXPIRES_AT, limits, null,
                            METADATA, CREATED_AT));
        }

        @Test
        void aKeyOutsideItsOwnersSlotCannotHoldAnOwnerWideLimitButAnyOther() {
            fixture.givenNoPriorActivity()
                    .when(create(outsideOwnersSlot, List.of(RATE_LIMIT, tokens)))
                    .expectException(KeyStateConflictException.class)
                    .expectNoEvents();
            fixture.given(createdWith(outsideOwnersSlot, RATE_LIMITS))
                    .when(changing().rateLimits(Change.to(List.of(tokens))).at(LATER))
                    .expectException(KeyStateConflictException.class)
                    .expectNoEvents();
            fixture.given(createdWith(outsideOwnersSlot, RATE_LIMITS))
                    .when(changing().rateLimits(Change.to(List.of(RATE_LIMIT, writes))).at(LATER))
                    .expectEvents(updatedTo(outsideOwnersSlot, List.of(RATE_LIMIT, writes)));
        }

        @Test
        void theShorthandReplacesOnlyTheLimitNamedDefaultInItsPlace() {
            RateLimitPolicy faster = new RateLimitPolicy(5, 1);
            fixture.given(createdWith(inOwnersSlot, List.of(writes, RATE_LIMIT, tokens)))
                    .when(changing().rateLimit(Change.to(faster)).at(LATER))
                    .expectEvents(updatedTo(inOwnersSlot, List.of(writes, faster, tokens)));
            fixture.given(createdWith(inOwnersSlot, List.of(writes, tokens)))
                    .when(changing().rateLimit(Change.to(faster)).at(LATER))
                    .expectEvents(updatedTo(inOwnersSlot, List.of(faster, writes, tokens)));
            fixture.given(createdWith(inOwnersSlot, List.of(writes, RATE_LIMIT, tokens)))
                    .when(changing().rateLimit(Change.to(null)).at(LATER))
                    .expectEvents(updatedTo(inOwnersSlot, List.of(writes, tokens)));
        }

        @Test
        void theListReplacesEveryLimitAndTheSameListRecordsNothing() {
            fixture.given(createdWith(inOwnersSlot, List.of(RATE_LIMIT, tokens)))
                    .when(changing().rateLimits(Change.to(null)).at(LATER))
                    .expectEvents(updatedTo(inOwnersSlot, List.of()));
            fixture.given(createdWith(inOwnersSlot, List.of(RATE_LIMIT, tokens)))
                    .when(changing().rateLimits(Change.to(List.of(RATE_LIMIT, tokens))).at(LATER))
                    .expectNoEvents();
            fixture.given(createdWith(inOwnersSlot, List.of(RATE_LIMIT, tokens)))
                    .when(changing().rateLimit(Change.to(RATE_LIMIT)).at(LATER))
                    .expectNoEvents();
        }

        private CreateApiKeyCommand create(ApiKeySecret secret, List<RateLimitPolicy> limits) {
            return new CreateApiKeyCommand(KEY_ID, secret.hash(), secret.prefix(), KeyEnvironment.LIVE, OWNER_ID,
                    NAME, PERMISSIONS, null, EXPIRES_AT, limits, null, METADATA, CREATED_AT, ROOT);
        }

        private ApiKeyCreatedEvent createdWith(ApiKeySecret secret, List<RateLimitPolicy> limits) {
            return new ApiKeyCreatedEvent(KEY_ID, secret.hash(), secret.prefix(), KeyEnvironment.LIVE, OWNER_ID,
                    NAME, PERMISSIONS, null, EXPIRES_AT, limits, null, METADATA, CREATED_AT);
        }

        private ApiKeyUpdatedEvent updatedTo(ApiKeySecret secret, List<RateLimitPolicy> limits) {
            return new ApiKeyUpdatedEvent(KEY_ID, secret.hash(), null, NAME, PERMISSIONS, null, METADATA, limits,
                    null, EXPIRES_AT, Set.of("rateLimits"), LATER);
        }
    }

    @Nested
    class Create {

        @Test
        void recordsEverySettingOfTheNewKey() {
            fixture.givenNoPriorActivity()
                    .when(new CreateApiKeyCommand(KEY_ID, ORIGINAL.hash(), ORIGINAL.prefix(), KeyEnvironment.LIVE,
                            OWNER_ID, NAME, PERMISSIONS, null, EXPIRES_AT, RATE_LIMITS, null, METADATA, CREATED_AT, ROOT))
                    .expectEvents(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT));
        }

        @Test
        void acceptsAKeyThatNeverExpires() {
            fixture.givenNoPriorActivity()
                    .when(createCommand(null, CREATED_AT))
                    .expectEvents(created(KeyEnvironment.LIVE, ORIGINAL, null));
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1})
        void refusesAnExpiryThatIsNotAfterTheRequest(long secondsBeforeRequest) {
            fixture.givenNoPriorActivity()
                    .when(createCommand(CREATED_AT.minusSeconds(secondsBeforeRequest), CREATED_AT))
                    .expectException(IllegalArgumentException.class)
                    .expectNoEvents();
        }

        private CreateApiKeyCommand createCommand(Instant expiresAt, Instant requestedAt) {
            return new CreateApiKeyCommand(KEY_ID, ORIGINAL.hash(), ORIGINAL.prefix(), KeyEnvironment.LIVE,
                    OWNER_ID, NAME, PERMISSIONS, null, expiresAt, RATE_LIMITS, null, METADATA, requestedAt, ROOT);
        }
    }

    @Nested
    class Rotate {

        @Test
        void replacesTheSecretByOneMintedFromTheCommandsRandomAndKeepsTheOldOneForTheGracePeriod() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new RotateApiKeyCommand(KEY_ID, FIRST_ROTATION_RANDOM, GRACE, FIRST_ROTATION_AT, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, FIRST_ROTATED.hash(), FIRST_ROTATED.prefix(),
                            ORIGINAL.hash(), FIRST_GRACE_END, null, FIRST_ROTATION_AT));
        }

        @Test
        void handsTheNewSecretAndTheEndOfTheGracePeriodBack() {
            RotatedSecret rotated = resultOf(RotatedSecret.class,
                    fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                            .when(new RotateApiKeyCommand(KEY_ID, FIRST_ROTATION_RANDOM, GRACE, FIRST_ROTATION_AT, ROOT)));

            assertThat(rotated.secret().reveal()).isEqualTo(FIRST_ROTATED.reveal());
            assertThat(rotated.previousKeyExpiresAt()).isEqualTo(FIRST_GRACE_END);
        }

        @Test
        void mintsTheNewSecretInTheEnvironmentOfTheKey() {
            SecretRandom random = SecretRandom.generate(new SecureRandom());
            ApiKeySecret testKey = ApiKeySecret.generate(KeyEnvironment.TEST, new SecureRandom());

            ResultValidator<ApiKey> result = fixture.given(created(KeyEnvironment.TEST, testKey, EXPIRES_AT))
                    .when(new RotateApiKeyCommand(KEY_ID, random, GRACE, FIRST_ROTATION_AT, ROOT));

            RotatedSecret rotated = resultOf(RotatedSecret.class, result);
            assertThat(rotated.secret().environment()).isEqualTo(KeyEnvironment.TEST);
            assertThat(rotated.secret().reveal()).startsWith("ss_test_");
            result.expectEvents(new ApiKeyRotatedEvent(KEY_ID, rotated.secret().hash(), rotated.secret().prefix(),
                    testKey.hash(), FIRST_GRACE_END, null, FIRST_ROTATION_AT));
        }

        @Test
        void mintsTheNewSecretInTheHashSlotOfTheSecretBefore() {
            ResultValidator<ApiKey> result = fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new RotateApiKeyCommand(KEY_ID, SecretRandom.generate(new SecureRandom()), GRACE,
                            FIRST_ROTATION_AT, ROOT));

            assertThat(resultOf(RotatedSecret.class, result).secret().hash().slot()).isEqualTo(ORIGINAL.hash().slot());
        }

        @Test
        void retiresTheSecretBeforeWhenItsGraceIsStillRunning() {
            SecretRandom random = SecretRandom.generate(new SecureRandom());
            ApiKeySecret second = ApiKeySecret.rotatedFrom(FIRST_ROTATED.hash(), KeyEnvironment.LIVE, random);
            Instant withinFirstGrace = FIRST_GRACE_END.minusSeconds(1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(new RotateApiKeyCommand(KEY_ID, random, GRACE, withinFirstGrace, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, second.hash(), second.prefix(),
                            FIRST_ROTATED.hash(), withinFirstGrace.plus(GRACE), ORIGINAL.hash(), withinFirstGrace));
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1})
        void retiresNothingWhenTheGraceOfTheSecretBeforeHasPassed(long secondsAfterGraceEnd) {
            SecretRandom random = SecretRandom.generate(new SecureRandom());
            ApiKeySecret second = ApiKeySecret.rotatedFrom(FIRST_ROTATED.hash(), KeyEnvironment.LIVE, random);
            Instant at = FIRST_GRACE_END.plusSeconds(secondsAfterGraceEnd);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(new RotateApiKeyCommand(KEY_ID, random, GRACE, at, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, second.hash(), second.prefix(),
                            FIRST_ROTATED.hash(), at.plus(GRACE), null, at));
        }

        @Test
        void retiresNothingWhenTheGraceOfTheSecretBeforeWasRecordedAsEnded() {
            SecretRandom random = SecretRandom.generate(new SecureRandom());
            ApiKeySecret second = ApiKeySecret.rotatedFrom(FIRST_ROTATED.hash(), KeyEnvironment.LIVE, random);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation(), firstGraceEnded())
                    .when(new RotateApiKeyCommand(KEY_ID, random, GRACE, LATER, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, second.hash(), second.prefix(),
                            FIRST_ROTATED.hash(), LATER.plus(GRACE), null, LATER));
        }

        @Test
        void endsTheGraceNoLaterThanTheKeyExpires() {
            Instant expiresSoon = FIRST_ROTATION_AT.plus(Duration.ofHours(2));

            ResultValidator<ApiKey> result = fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, expiresSoon))
                    .when(new RotateApiKeyCommand(KEY_ID, FIRST_ROTATION_RANDOM, GRACE, FIRST_ROTATION_AT, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, FIRST_ROTATED.hash(), FIRST_ROTATED.prefix(),
                            ORIGINAL.hash(), expiresSoon, null, FIRST_ROTATION_AT));

            assertThat(resultOf(RotatedSecret.class, result).previousKeyExpiresAt()).isEqualTo(expiresSoon);
        }

        @Test
        void withoutGraceEndsTheOldSecretAtOnce() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new RotateApiKeyCommand(KEY_ID, FIRST_ROTATION_RANDOM, Duration.ZERO, FIRST_ROTATION_AT, ROOT))
                    .expectEvents(new ApiKeyRotatedEvent(KEY_ID, FIRST_ROTATED.hash(), FIRST_ROTATED.prefix(),
                            ORIGINAL.hash(), FIRST_ROTATION_AT, null, FIRST_ROTATION_AT));
        }
    }

    /** A revoked or expired key is final: neither its secret nor its settings change any more. */
    @Nested
    class FinalKey {

        @ParameterizedTest(name = "{0} cannot be {1}")
        @MethodSource("com.spendsync.command.apikey.ApiKeyTest#finalKeysAndChanges")
        void refusesEveryChange(FinalState state, Function<Instant, Object> change) {
            fixture.given(state.history())
                    .when(change.apply(state.changeAt()))
                    .expectException(KeyStateConflictException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class Revoke {

        @Test
        void revokesTheCurrentSecret() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new RevokeApiKeyCommand(KEY_ID, "leaked", LATER, ROOT))
                    .expectEvents(new ApiKeyRevokedEvent(KEY_ID, ORIGINAL.hash(), null, "leaked", LATER));
        }

        @Test
        void revokesTheSecretInGraceTooDuringARotation() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(new RevokeApiKeyCommand(KEY_ID, "leaked", FIRST_ROTATION_AT.plusSeconds(60), ROOT))
                    .expectEvents(new ApiKeyRevokedEvent(KEY_ID, FIRST_ROTATED.hash(), ORIGINAL.hash(), "leaked",
                            FIRST_ROTATION_AT.plusSeconds(60)));
        }

        @Test
        void refusesToRevokeTwice() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), revoked(LATER))
                    .when(new RevokeApiKeyCommand(KEY_ID, "again", LATER.plusSeconds(1), ROOT))
                    .expectException(KeyStateConflictException.class)
                    .expectNoEvents();
        }

        @Test
        void revokesAnExpiredKey() {
            Instant afterExpiry = EXPIRES_AT.plusSeconds(1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), expired())
                    .when(new RevokeApiKeyCommand(KEY_ID, "cleanup", afterExpiry, ROOT))
                    .expectEvents(new ApiKeyRevokedEvent(KEY_ID, ORIGINAL.hash(), null, "cleanup", afterExpiry));
        }
    }

    @Nested
    class Update {

        @Test
        void recordsTheFullSettingsAndTheFieldsThatChanged() {
            Instant newExpiry = EXPIRES_AT.plus(Duration.ofDays(30));
            RateLimitPolicy newRateLimit = new RateLimitPolicy(10, 1);

            ResultValidator<ApiKey> result = fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new UpdateApiKeyCommand(KEY_ID, Change.to("renamed"), Change.to(List.of("keys:read")),
                            null, Change.to(Map.of("team", "core")), null, Change.to(newRateLimit), null,
                            Change.to(newExpiry),
                            LATER, ROOT))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, "renamed",
                            List.of("keys:read"), null, Map.of("team", "core"), List.of(newRateLimit), null, newExpiry,
                            Set.of("name", "permissions", "metadata", "rateLimits", "expiresAt"), LATER));

            assertThat(resultOf(KeySettings.class, result)).isEqualTo(new KeySettings(KEY_ID, OWNER_ID, "renamed",
                    ORIGINAL.prefix(), KeyEnvironment.LIVE, List.of("keys:read"), null, KeyStatus.ACTIVE, CREATED_AT,
                    newExpiry, null, null, null, null, List.of(newRateLimit), null, Map.of("team", "core"),
                    new KeySettings.Usage(0, 0)));
        }

        @Test
        void setsTheAllowedNetworksAndLaterRemovesThem() {
            List<String> networks = List.of("203.0.113.0/24", "2001:db8::/48");
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().allowedSources(Change.to(networks)).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, PERMISSIONS, null,
                            METADATA, RATE_LIMITS, networks, EXPIRES_AT, Set.of("allowedSources"), LATER));
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), new ApiKeyUpdatedEvent(KEY_ID,
                            ORIGINAL.hash(), null, NAME, PERMISSIONS, null, METADATA, RATE_LIMITS, networks, EXPIRES_AT,
                            Set.of("allowedSources"), LATER))
                    .when(changing().allowedSources(Change.to(null)).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, PERMISSIONS, null,
                            METADATA, RATE_LIMITS, null, EXPIRES_AT, Set.of("allowedSources"), LATER));
        }

        @Test
        void aKeyReachingTheManagementPlaneCannotHaveAnAllowlist() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), new ApiKeyUpdatedEvent(KEY_ID,
                            ORIGINAL.hash(), null, NAME, PERMISSIONS, null, METADATA, RATE_LIMITS,
                            List.of("10.0.0.0/8"), EXPIRES_AT, Set.of("allowedSources"), LATER))
                    .when(changing().permissions(Change.to(List.of("keys:read"))).at(LATER))
                    .expectException(InvalidRequestException.class)
                    .expectNoEvents();
        }

        @Test
        void theSameNetworksAgainRecordNothing() {
            List<String> networks = List.of("10.0.0.0/8");
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), new ApiKeyUpdatedEvent(KEY_ID,
                            ORIGINAL.hash(), null, NAME, PERMISSIONS, null, METADATA, RATE_LIMITS, networks, EXPIRES_AT,
                            Set.of("allowedSources"), LATER))
                    .when(changing().allowedSources(Change.to(List.of("10.0.0.0/8"))).at(LATER))
                    .expectNoEvents();
        }

        @Test
        void keepsTheFieldsItLeavesAlone() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().name(Change.to("renamed")).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, "renamed", PERMISSIONS, null,
                            METADATA, RATE_LIMITS, null, EXPIRES_AT, Set.of("name"), LATER));
        }

        @Test
        void clearsTheExpiryWithAChangeToNull() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().expiresAt(Change.to(null)).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, PERMISSIONS, null,
                            METADATA, RATE_LIMITS, null, null, Set.of("expiresAt"), LATER));
        }

        @Test
        void clearsTheRateLimitAndMetadataWithAChangeToNull() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().rateLimit(Change.to(null)).metadata(Change.to(null)).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, PERMISSIONS, null,
                            null, List.of(), null, EXPIRES_AT, Set.of("metadata", "rateLimits"), LATER));
        }

        @Test
        void recordsNothingWhenEveryValueIsTheSame() {
            ResultValidator<ApiKey> result = fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().name(Change.to(NAME)).permissions(Change.to(List.copyOf(PERMISSIONS)))
                            .metadata(Change.to(Map.copyOf(METADATA))).rateLimit(Change.to(RATE_LIMIT))
                            .expiresAt(Change.to(EXPIRES_AT)).at(LATER))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();

            assertThat(resultOf(KeySettings.class, result).name()).isEqualTo(NAME);
        }

        @Test
        void recordsNothingWhenNoFieldIsSent() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().at(LATER))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1})
        void refusesANewExpiryThatIsNotAfterTheRequest(long secondsBeforeRequest) {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().expiresAt(Change.to(LATER.minusSeconds(secondsBeforeRequest))).at(LATER))
                    .expectException(IllegalArgumentException.class)
                    .expectNoEvents();
        }

        @Test
        void carriesBothSecretsDuringARotation() {
            Instant withinGrace = FIRST_ROTATION_AT.plusSeconds(60);

            ResultValidator<ApiKey> result = fixture
                    .given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(changing().name(Change.to("renamed")).at(withinGrace))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, FIRST_ROTATED.hash(), ORIGINAL.hash(), "renamed",
                            PERMISSIONS, null, METADATA, RATE_LIMITS, null, EXPIRES_AT, Set.of("name"), withinGrace));

            KeySettings settings = resultOf(KeySettings.class, result);
            assertThat(settings.status()).isEqualTo(KeyStatus.ROTATING);
            assertThat(settings.prefix()).isEqualTo(FIRST_ROTATED.prefix());
            assertThat(settings.rotatedAt()).isEqualTo(FIRST_ROTATION_AT);
            assertThat(settings.rotationExpiresAt()).isEqualTo(FIRST_GRACE_END);
        }
    }

    /** Who may act on a key: the authority rule, checked against the key as it stands. */
    @Nested
    class CallerAuthority {

        private final ApiKeyCreatedEvent bootstrapLike = createdWith(List.of("*"), null, "spendsync");
        private final ApiKeyCreatedEvent rotatorKey = createdWith(List.of("keys:rotate"), null, "ops");
        private final ApiKeyCreatedEvent acmeGateway = createdWith(List.of("keys:verify"), KeyScope.of("acme"), "acme");

        @Test
        void aCallerWithoutTheOperationsPermissionIsRefused() {
            expectRefusal(fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(rotateBy(caller("keys:read"))), Reason.MISSING_PERMISSION);
        }

        @Test
        void aKeyHoldingOnlyKeysRotateCannotRotateAStarKey() {
            expectRefusal(fixture.given(bootstrapLike).when(rotateBy(caller("keys:rotate"))), Reason.STRONGER_KEY);
        }

        @Test
        void aKeyHoldingKeysStarMayRotateAKeyHoldingKeysRotate() {
            fixture.given(rotatorKey).when(rotateBy(caller("keys:*")))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aKeyHoldingKeysStarCannotRotateAStarKey() {
            expectRefusal(fixture.given(bootstrapLike).when(rotateBy(caller("keys:*"))), Reason.STRONGER_KEY);
        }

        @Test
        void holdingEveryManagementPermissionByNameIsNotHoldingStar() {
            Authority allByName = caller("keys:create", "keys:rotate", "keys:revoke", "keys:update", "keys:read",
                    "keys:verify", "audit:read", "alerts:read", "admin:replay", "admin:read");
            expectRefusal(fixture.given(bootstrapLike).when(rotateBy(allByName)), Reason.STRONGER_KEY);
        }

        @Test
        void aKeyHoldingOnlyKeysRevokeCannotRevokeAStarKey() {
            expectRefusal(fixture.given(bootstrapLike)
                    .when(new RevokeApiKeyCommand(KEY_ID, "lock them out", LATER, caller("keys:revoke"))),
                    Reason.STRONGER_KEY);
        }

        @Test
        void aKeyHoldingOnlyKeysUpdateCannotStripOrRelaxAStarKey() {
            expectRefusal(fixture.given(bootstrapLike).when(changing().permissions(Change.to(List.of()))
                    .by(caller("keys:update")).at(LATER)), Reason.STRONGER_KEY);
            expectRefusal(fixture.given(bootstrapLike).when(changing().expiresAt(Change.to(null))
                    .by(caller("keys:update")).at(LATER)), Reason.STRONGER_KEY);
        }

        @Test
        void anUpdateCannotGrantWhatTheCallerDoesNotHold() {
            expectRefusal(fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(changing().permissions(Change.to(List.of("keys:*"))).by(caller("keys:update", "keys:read"))
                            .at(LATER)), Reason.WIDER_GRANT);
        }

        @Test
        void aKeyOutsideTheCallersScopeIsNotFound() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.given(createdWith(PERMISSIONS, null, "globex"))
                    .when(new RevokeApiKeyCommand(KEY_ID, "not yours", LATER, acmeAdmin)), Reason.OUTSIDE_SCOPE);
        }

        @Test
        void aScopedCallerActsOnKeysOfOwnersMatchingItsPrefix() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            fixture.given(createdWith(PERMISSIONS, null, "acme-eu"))
                    .when(new RevokeApiKeyCommand(KEY_ID, "ours", LATER, acmeAdmin))
                    .expectEvents(new ApiKeyRevokedEvent(KEY_ID, ORIGINAL.hash(), null, "ours", LATER));
        }

        @Test
        void aScopedCallerCannotTakeAnUnscopedRootKeyOfAnOwnerInItsScope() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.given(createdWith(List.of("keys:verify"), null, "acme"))
                    .when(rotateBy(acmeAdmin)), Reason.STRONGER_KEY);
        }

        @Test
        void aScopedCallerMayRotateARootKeyScopedWithinItsOwnScope() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            fixture.given(acmeGateway).when(rotateBy(acmeAdmin)).expectSuccessfulHandlerExecution();
        }

        @Test
        void aTestRootKeyCannotActOnALiveKey() {
            Authority testAdmin = new Authority("key_test", List.of("*"), null, KeyEnvironment.TEST);
            expectRefusal(fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(rotateBy(testAdmin)), Reason.ENVIRONMENT);
        }

        @Test
        void aTestRootKeyActsOnATestKey() {
            Authority testAdmin = new Authority("key_test", List.of("*"), null, KeyEnvironment.TEST);
            ApiKeySecret testKey = ApiKeySecret.generate(KeyEnvironment.TEST, new SecureRandom());
            fixture.given(created(KeyEnvironment.TEST, testKey, EXPIRES_AT)).when(rotateBy(testAdmin))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aScopedCallerCreatesKeysOnlyForOwnersInItsScope() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.givenNoPriorActivity().when(createBy(acmeAdmin, "globex", PERMISSIONS, null)),
                    Reason.OWNER_OUTSIDE_SCOPE);
            fixture.givenNoPriorActivity().when(createBy(acmeAdmin, "acme-eu", PERMISSIONS, null))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aScopedCallerCreatesRootKeysOnlyWithinItsScope() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.givenNoPriorActivity()
                    .when(createBy(acmeAdmin, "acme", List.of("keys:verify"), KeyScope.of("a*"))), Reason.WIDER_GRANT);
            expectRefusal(fixture.givenNoPriorActivity()
                    .when(createBy(acmeAdmin, "acme", List.of("keys:verify"), null)), Reason.WIDER_GRANT);
            fixture.givenNoPriorActivity()
                    .when(createBy(acmeAdmin, "acme", List.of("keys:verify"), KeyScope.of("acme-eu*", "acme")))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void noKeyCreatesAKeyStrongerThanItself() {
            expectRefusal(fixture.givenNoPriorActivity()
                    .when(createBy(caller("keys:create", "keys:rotate"), OWNER_ID, List.of("*"), null)),
                    Reason.WIDER_GRANT);
            expectRefusal(fixture.givenNoPriorActivity()
                    .when(createBy(caller("keys:create"), OWNER_ID, List.of("keys:*"), null)), Reason.WIDER_GRANT);
        }

        @Test
        void aTestRootKeyCannotCreateALiveKey() {
            Authority testAdmin = new Authority("key_test", List.of("*"), null, KeyEnvironment.TEST);
            expectRefusal(fixture.givenNoPriorActivity().when(createBy(testAdmin, OWNER_ID, PERMISSIONS, null)),
                    Reason.ENVIRONMENT);
        }

        @Test
        void aScopedCallerNarrowsTheScopeOfARootKeyInItsScope() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            ApiKeyCreatedEvent acmeWide = createdWith(List.of("keys:verify"), KeyScope.of("acme*"), "acme");
            fixture.given(acmeWide)
                    .when(changing().scope(Change.to(KeyScope.of("acme-eu"))).by(acmeAdmin).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, List.of("keys:verify"),
                            KeyScope.of("acme-eu"), METADATA, RATE_LIMITS, null, EXPIRES_AT, Set.of("scope"), LATER));
        }

        @Test
        void aScopedCallerCannotWidenOrClearTheScopeOfARootKey() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.given(acmeGateway)
                    .when(changing().scope(Change.to(KeyScope.of("*x", "acme"))).by(acmeAdmin).at(LATER)),
                    Reason.WIDER_GRANT);
            expectRefusal(fixture.given(acmeGateway)
                    .when(changing().scope(Change.to(null)).by(acmeAdmin).at(LATER)), Reason.WIDER_GRANT);
        }

        @Test
        void anExpiringRootKeyCannotLiftItsExpiryNorGrantAnUnexpiringRootKey() {
            Authority temporary = new Authority("key_caller", List.of("keys:*"), null, KeyEnvironment.LIVE,
                    EXPIRES_AT);
            expectRefusal(fixture.given(createdWith(List.of("keys:create"), null, OWNER_ID))
                    .when(changing().expiresAt(Change.to(null)).by(temporary).at(LATER)), Reason.WIDER_GRANT);
            expectRefusal(fixture.givenNoPriorActivity().when(new CreateApiKeyCommand(KEY_ID, ORIGINAL.hash(),
                    ORIGINAL.prefix(), KeyEnvironment.LIVE, OWNER_ID, NAME, List.of("keys:read"), null,
                    EXPIRES_AT.plusSeconds(1), RATE_LIMITS, null, METADATA, CREATED_AT, temporary)), Reason.WIDER_GRANT);
            fixture.givenNoPriorActivity().when(new CreateApiKeyCommand(KEY_ID, ORIGINAL.hash(), ORIGINAL.prefix(),
                    KeyEnvironment.LIVE, OWNER_ID, NAME, PERMISSIONS, null, null, RATE_LIMITS, null, METADATA, CREATED_AT,
                    temporary)).expectSuccessfulHandlerExecution();
        }

        @Test
        void aScopedCallerCannotPutAWiderScopeOnAKeyWithoutManagementPower() {
            Authority acmeAdmin = scopedCaller(KeyScope.of("acme*"), "keys:*");
            expectRefusal(fixture.given(createdWith(PERMISSIONS, null, "acme-app"))
                    .when(changing().scope(Change.to(KeyScope.of("globex*"))).by(acmeAdmin).at(LATER)),
                    Reason.WIDER_GRANT);
        }

        @Test
        void anUnscopedCallerMayLiftTheScopeOfARootKey() {
            fixture.given(acmeGateway).when(changing().scope(Change.to(null)).at(LATER))
                    .expectEvents(new ApiKeyUpdatedEvent(KEY_ID, ORIGINAL.hash(), null, NAME, List.of("keys:verify"),
                            null, METADATA, RATE_LIMITS, null, EXPIRES_AT, Set.of("scope"), LATER));
        }

        private void expectRefusal(ResultValidator<ApiKey> result, Reason reason) {
            result.expectException(AuthorityException.class).expectNoEvents()
                    .expectException(Matchers.predicate(thrown ->
                            thrown instanceof AuthorityException refused && refused.reason() == reason));
        }

        private RotateApiKeyCommand rotateBy(Authority caller) {
            return new RotateApiKeyCommand(KEY_ID, FIRST_ROTATION_RANDOM, Duration.ZERO, LATER, caller);
        }

        private CreateApiKeyCommand createBy(Authority caller, String ownerId, List<String> permissions,
                                             KeyScope scope) {
            return new CreateApiKeyCommand(KEY_ID, ORIGINAL.hash(), ORIGINAL.prefix(), KeyEnvironment.LIVE, ownerId,
                    NAME, permissions, scope, EXPIRES_AT, RATE_LIMITS, null, METADATA, CREATED_AT, caller);
        }

        private Authority caller(String... permissions) {
            return new Authority("key_caller", List.of(permissions), null, KeyEnvironment.LIVE);
        }

        private Authority scopedCaller(KeyScope scope, String... permissions) {
            return new Authority("key_caller", List.of(permissions), scope, KeyEnvironment.LIVE);
        }

        private ApiKeyCreatedEvent createdWith(List<String> permissions, KeyScope scope, String ownerId) {
            return new ApiKeyCreatedEvent(KEY_ID, ORIGINAL.hash(), ORIGINAL.prefix(), KeyEnvironment.LIVE, ownerId,
                    NAME, permissions, scope, EXPIRES_AT, RATE_LIMITS, null, METADATA, CREATED_AT);
        }
    }

    @Nested
    class Expire {

        @Test
        void recordsNothingBeforeTheExpiry() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new ExpireApiKeyCommand(KEY_ID, EXPIRES_AT.minusSeconds(1)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1, 86_400})
        void recordsTheExpiryAtTheInstantTheKeyExpired(long secondsLate) {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new ExpireApiKeyCommand(KEY_ID, EXPIRES_AT.plusSeconds(secondsLate)))
                    .expectEvents(new ApiKeyExpiredEvent(KEY_ID, ORIGINAL.hash(), null, EXPIRES_AT));
        }

        @Test
        void expiresTheSecretInGraceTooDuringARotation() {
            Instant expiresSoon = FIRST_ROTATION_AT.plus(Duration.ofHours(2));

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, expiresSoon),
                            rotated(FIRST_ROTATED, ORIGINAL, expiresSoon, null, FIRST_ROTATION_AT))
                    .when(new ExpireApiKeyCommand(KEY_ID, expiresSoon))
                    .expectEvents(new ApiKeyExpiredEvent(KEY_ID, FIRST_ROTATED.hash(), ORIGINAL.hash(), expiresSoon));
        }

        @Test
        void recordsNothingForARevokedKey() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), revoked(LATER))
                    .when(new ExpireApiKeyCommand(KEY_ID, EXPIRES_AT.plusSeconds(1)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsNothingForAKeyAlreadyExpired() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), expired())
                    .when(new ExpireApiKeyCommand(KEY_ID, EXPIRES_AT.plusSeconds(1)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsNothingForAKeyThatNeverExpires() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, null))
                    .when(new ExpireApiKeyCommand(KEY_ID, EXPIRES_AT.plus(Duration.ofDays(3650))))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }
    }

    @Nested
    class EndRotationGrace {

        @Test
        void recordsNothingBeforeTheGraceEnds() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(new EndRotationGraceCommand(KEY_ID, FIRST_GRACE_END.minusSeconds(1)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(longs = {0, 1, 86_400})
        void recordsTheEndAtTheInstantTheGraceEnded(long secondsLate) {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation())
                    .when(new EndRotationGraceCommand(KEY_ID, FIRST_GRACE_END.plusSeconds(secondsLate)))
                    .expectEvents(new ApiKeyRotationGraceEndedEvent(KEY_ID, ORIGINAL.hash(), FIRST_GRACE_END));
        }

        @Test
        void recordsNothingForAKeyNeverRotated() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new EndRotationGraceCommand(KEY_ID, LATER))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsNothingOnceTheGraceWasRecordedAsEnded() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation(), firstGraceEnded())
                    .when(new EndRotationGraceCommand(KEY_ID, LATER))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsNothingForARevokedKey() {
            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation(),
                            revoked(FIRST_ROTATION_AT.plusSeconds(60)))
                    .when(new EndRotationGraceCommand(KEY_ID, LATER))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }
    }

    /**
     * Each secret numbers its usage batches within an epoch of its Redis counter; a number recorded before in the
     * same epoch is a flush retried after a crash.
     */
    @Nested
    class RecordUsage {

        private static final Instant FLUSHED_AT = LATER.plusSeconds(60);
        private static final String EPOCH = "epoch-1";

        @Test
        void recordsTheFirstBatchOfASecret() {
            UsageBatch first = batch(ORIGINAL, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(first), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(first), FLUSHED_AT));
        }

        @Test
        void recordsNothingForABatchRecordedBefore() {
            UsageBatch first = batch(ORIGINAL, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(first))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(first), FLUSHED_AT.plusSeconds(60)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsTheNextBatchOfTheSameSecret() {
            UsageBatch second = batch(ORIGINAL, 2);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(batch(ORIGINAL, 1)))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(second), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(second), FLUSHED_AT));
        }

        @Test
        void numbersTheBatchesOfEachSecretApart() {
            UsageBatch newSecretsFirst = batch(FIRST_ROTATED, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(batch(ORIGINAL, 7)),
                            firstRotation())
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(newSecretsFirst), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(newSecretsFirst), FLUSHED_AT));
        }

        @Test
        void recordsTheBatchesOfBothSecretsOfARotationInOneEvent() {
            UsageBatch nextOfOld = batch(ORIGINAL, 4);
            UsageBatch firstOfNew = batch(FIRST_ROTATED, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(batch(ORIGINAL, 3)),
                            firstRotation())
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(firstOfNew, nextOfOld), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(firstOfNew, nextOfOld), FLUSHED_AT));
        }

        @Test
        void leavesOutOnlyTheBatchRecordedBefore() {
            UsageBatch retried = batch(ORIGINAL, 3);
            UsageBatch firstOfNew = batch(FIRST_ROTATED, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), firstRotation(), used(retried))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(firstOfNew, retried), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(firstOfNew), FLUSHED_AT));
        }

        @Test
        void remembersTheBatchesOfARetiredSecret() {
            UsageBatch retried = batch(ORIGINAL, 2);
            SecretRandom random = SecretRandom.generate(new SecureRandom());
            ApiKeySecret second = ApiKeySecret.from(KeyEnvironment.LIVE, random);
            Instant withinFirstGrace = FIRST_GRACE_END.minusSeconds(1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(retried), firstRotation(),
                            rotated(second, FIRST_ROTATED, withinFirstGrace.plus(GRACE), ORIGINAL.hash(),
                                    withinFirstGrace))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(retried), FLUSHED_AT))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void recordsTheFirstBatchOfANewEpochAfterRedisLostTheCounter() {
            UsageBatch restarted = batch(ORIGINAL, "epoch-2", 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(batch(ORIGINAL, 3)))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(restarted), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(restarted), FLUSHED_AT));
        }

        @Test
        void recordsNothingForABatchOfAnEarlierEpochRecordedBefore() {
            UsageBatch retried = batch(ORIGINAL, 3);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(retried),
                            used(batch(ORIGINAL, "epoch-2", 1)))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(retried), FLUSHED_AT))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void numbersBatchesFromBeforeEpochsInAnEpochOfTheirOwn() {
            UsageBatch retried = batch(ORIGINAL, UsageBatch.FIRST_EPOCH, 2);
            UsageBatch firstOfAnEpoch = batch(ORIGINAL, 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(retried))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(retried, firstOfAnEpoch), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(firstOfAnEpoch), FLUSHED_AT));
        }

        @Test
        void remembersOnlyTheLastFourEpochsOfASecret() {
            UsageBatch ofTheFirstEpoch = batch(ORIGINAL, "epoch-1", 1);
            UsageBatch ofTheSecondEpoch = batch(ORIGINAL, "epoch-2", 1);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), used(ofTheFirstEpoch),
                            used(ofTheSecondEpoch), used(batch(ORIGINAL, "epoch-3", 1)),
                            used(batch(ORIGINAL, "epoch-4", 1)), used(batch(ORIGINAL, "epoch-5", 1)))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(ofTheFirstEpoch, ofTheSecondEpoch), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(ofTheFirstEpoch), FLUSHED_AT));
        }

        @Test
        void recordsTheUsesOfAKeyThatHasEnded() {
            UsageBatch rejectedOnly = new UsageBatch(ORIGINAL.hash(), EPOCH, 1, 0, 4, null);

            fixture.given(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), revoked(LATER))
                    .when(new RecordKeyUsageCommand(KEY_ID, List.of(rejectedOnly), FLUSHED_AT))
                    .expectEvents(new ApiKeyUsedEvent(KEY_ID, List.of(rejectedOnly), FLUSHED_AT));
        }

        private static UsageBatch batch(ApiKeySecret secret, long batchSeq) {
            return batch(secret, EPOCH, batchSeq);
        }

        private static UsageBatch batch(ApiKeySecret secret, String epoch, long batchSeq) {
            return new UsageBatch(secret.hash(), epoch, batchSeq, 10 * batchSeq, batchSeq, LATER.plusSeconds(batchSeq));
        }

        private static ApiKeyUsedEvent used(UsageBatch batch) {
            return new ApiKeyUsedEvent(KEY_ID, List.of(batch), LATER);
        }
    }

    record FinalState(List<Object> history, Instant changeAt) {
    }

    static Stream<Arguments> finalKeysAndChanges() {
        List<Arguments> finalStates = List.of(
                arguments(named("a revoked key",
                        new FinalState(List.of(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), revoked(LATER)),
                                LATER.plusSeconds(1)))),
                arguments(named("a key recorded as expired",
                        // the change is asked for at an instant before expiresAt: the recorded expiry alone refuses it
                        new FinalState(List.of(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT), expired()),
                                LATER))),
                arguments(named("a key at its expiry, not yet recorded",
                        new FinalState(List.of(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT)), EXPIRES_AT))),
                arguments(named("a key past its expiry, not yet recorded",
                        new FinalState(List.of(created(KeyEnvironment.LIVE, ORIGINAL, EXPIRES_AT)),
                                EXPIRES_AT.plusSeconds(1)))));
        List<Arguments> changes = List.of(
                arguments(named("rotated", (Function<Instant, Object>) at ->
                        new RotateApiKeyCommand(KEY_ID, SecretRandom.generate(new SecureRandom()), GRACE, at, ROOT))),
                arguments(named("renamed", (Function<Instant, Object>) at ->
                        changing().name(Change.to("renamed")).at(at))),
                arguments(named("given a later expiry", (Function<Instant, Object>) at ->
                        changing().expiresAt(Change.to(at.plus(GRACE))).at(at))));
        return finalStates.stream().flatMap(state -> changes.stream()
                .map(change -> arguments(state.get()[0], change.get()[0])));
    }

    private static ApiKeyCreatedEvent created(KeyEnvironment environment, ApiKeySecret secret, Instant expiresAt) {
        return new ApiKeyCreatedEvent(KEY_ID, secret.hash(), secret.prefix(), environment, OWNER_ID, NAME,
                PERMISSIONS, null, expiresAt, RATE_LIMITS, null, METADATA, CREATED_AT);
    }

    private static ApiKeyRotatedEvent rotated(ApiKeySecret newSecret, ApiKeySecret previous,
            Instant previousExpiresAt, KeyHash retired, Instant at) {
        return new ApiKeyRotatedEvent(KEY_ID, newSecret.hash(), newSecret.prefix(), previous.hash(),
                previousExpiresAt, retired, at);
    }

    private static ApiKeyRotatedEvent firstRotation() {
        return rotated(FIRST_ROTATED, ORIGINAL, FIRST_GRACE_END, null, FIRST_ROTATION_AT);
    }

    private static ApiKeyRotationGraceEndedEvent firstGraceEnded() {
        return new ApiKeyRotationGraceEndedEvent(KEY_ID, ORIGINAL.hash(), FIRST_GRACE_END);
    }

    private static ApiKeyRevokedEvent revoked(Instant at) {
        return new ApiKeyRevokedEvent(KEY_ID, ORIGINAL.hash(), null, "leaked", at);
    }

    private static ApiKeyExpiredEvent expired() {
        return new ApiKeyExpiredEvent(KEY_ID, ORIGINAL.hash(), null, EXPIRES_AT);
    }

    /** The payload the command handler returned, checked by the fixture to be of the expected type. */
    private static <T> T resultOf(Class<T> type, ResultValidator<ApiKey> result) {
        AtomicReference<T> payload = new AtomicReference<>();
        result.expectResultMessagePayloadMatching(Matchers.predicate(value -> {
            if (!type.isInstance(value)) {
                return false;
            }
            payload.set(type.cast(value));
            return true;
        }));
        return payload.get();
    }

    private static UpdateBuilder changing() {
        return new UpdateBuilder();
    }

    /** An update that leaves every field alone unless told otherwise. */
    private static final class UpdateBuilder {
        private Change<String> name;
        private Change<List<String>> permissions;
        private Change<Map<String, Object>> metadata;
        private Change<RateLimitPolicy> rateLimit;
        private Change<List<RateLimitPolicy>> rateLimits;
        private Change<Instant> expiresAt;
        private Change<List<String>> allowedSources;
        private Change<KeyScope> scope;
        private Authority caller = ROOT;

        UpdateBuilder scope(Change<KeyScope> change) {
            scope = change;
            return this;
        }

        UpdateBuilder by(Authority authority) {
            caller = authority;
            return this;
        }

        UpdateBuilder name(Change<String> change) {
            name = change;
            return this;
        }

        UpdateBuilder permissions(Change<List<String>> change) {
            permissions = change;
            return this;
        }

        UpdateBuilder metadata(Change<Map<String, Object>> change) {
            metadata = change;
            return this;
        }

        UpdateBuilder rateLimit(Change<RateLimitPolicy> change) {
            rateLimit = change;
            return this;
        }

        UpdateBuilder rateLimits(Change<List<RateLimitPolicy>> change) {
            rateLimits = change;
            return this;
        }

        UpdateBuilder expiresAt(Change<Instant> change) {
            expiresAt = change;
            return this;
        }

        UpdateBuilder allowedSources(Change<List<String>> change) {
            allowedSources = change;
            return this;
        }

        UpdateApiKeyCommand at(Instant requestedAt) {
            return new UpdateApiKeyCommand(KEY_ID, name, permissions, scope, metadata, rateLimits, rateLimit,
                    allowedSources, expiresAt, requestedAt, caller);
        }
    }
}

package com.spendsync.platform.verification;

import static com.spendsync.platform.verification.ValidationViewKeys.EXPIRES_AT;
import static com.spendsync.platform.verification.ValidationViewKeys.GRACE_UNTIL;
import static com.spendsync.platform.verification.ValidationViewKeys.KEY_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.OWNER_ID;
import static com.spendsync.platform.verification.ValidationViewKeys.PERMISSIONS;
import static com.spendsync.platform.verification.ValidationViewKeys.RATE_LIMIT;
import static com.spendsync.platform.verification.ValidationViewKeys.RATE_WINDOW_SECONDS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_ACTIVE;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_EXPIRED;
import static com.spendsync.platform.verification.ValidationViewKeys.STATUS_REVOKED;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_LAST_USED;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_REJECTED;
import static com.spendsync.platform.verification.ValidationViewKeys.USAGE_VALID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.spendsync.api.apikey.AllowedSources;
import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.api.keyformat.SecretRandom;
import com.spendsync.embedded.EmbeddedRedis;
import com.spendsync.platform.verification.Verification.RateLimitState;
import io.lettuce.core.cluster.SlotHash;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Runs verify.lua through {@link KeyVerifier} against a real redis-server, with entries laid out the way
 * RedisValidationViewProjector writes them and a clock the test moves by hand.
 */
class VerifyScriptTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.123Z");
    private static final String KEY_ID_OF_ENTRY = "key_0001";
    private static final String OWNER_OF_ENTRY = "owner_0001";
    /** The source of a verification that names none: the gateway's own address. */
    private static final String GATEWAY = "198.51.100.7";
    private static final Pattern HASH_TAG = Pattern.compile("\\{([^}]*)}");
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path redisDataDirectory;

    private static EmbeddedRedis redisServer;
    private static LettuceConnectionFactory connectionFactory;
    private static StringRedisTemplate redis;

    private final MutableClock clock = new MutableClock(NOW);
    // no fallback: these tests are about the script alone
    final KeyVerifier verifier = new KeyVerifier(redis, new ReactiveStringRedisTemplate(connectionFactory), clock,
            new StaticListableBeanFactory().getBeanProvider(VerificationFallback.class),
            new ValidationViewWriter(redis), new UnknownKeys(new SimpleMeterRegistry()), Duration.ofDays(30));

    @BeforeAll
    static void startRedis() throws Exception {
        redisServer = EmbeddedRedis.start(redisDataDirectory, 0);
        URI uri = URI.create(redisServer.uri());
        connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(uri.getHost(), uri.getPort()));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        redis = new StringRedisTemplate(connectionFactory);
    }

    @AfterAll
    static void stopRedis() {
        if (connectionFactory != null) {
            connectionFactory.destroy();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        redis.execute((RedisCallback<Void>) connection -> {
            connection.serverCommands().flushDb();
            return null;
        });
    }

    // ---- lookup ----

    @Test
    void a_hash_without_an_entry_is_not_found_and_nothing_is_written() {
        KeyHash unknown = newHash();

        Verification verification = verifyUse(unknown);

        assertThat(verification).isEqualTo(Verification.of(VerificationCode.NOT_FOUND));
        assertThat(allRedisKeys()).isEmpty();
    }

    @Test
    void an_active_entry_is_valid_and_returns_what_the_view_holds() {
        Instant expiresAt = NOW.plus(Duration.ofDays(30));
        KeyHash hash = anActiveEntry().withPermissions("payments:read", "refunds:create")
                .expiringAt(expiresAt).store();

        Verification verification = verifyUse(hash);

        assertThat(verification.code()).isEqualTo(VerificationCode.VALID);
        assertThat(verification.keyId()).isEqualTo(KEY_ID_OF_ENTRY);
        assertThat(verification.ownerId()).isEqualTo(OWNER_OF_ENTRY);
        assertThat(verification.permissions()).containsExactly("payments:read", "refunds:create");
        assertThat(verification.expiresAt()).isEqualTo(expiresAt);
        assertThat(verification.rotationGraceUntil()).isNull();
        assertThat(verification.rateLimit()).isNull();
    }

    @Test
    void an_entry_without_expiry_or_permissions_is_valid_with_none_reported() {
        KeyHash hash = anActiveEntry().store();

        Verification verification = verifyUse(hash);

        assertThat(verification.code()).isEqualTo(VerificationCode.VALID);
        assertThat(verification.permissions()).isEmpty();
        assertThat(verification.expiresAt()).isNull();
    }

    // ---- lifecycle ----

    @Test
    void a_revoked_entry_is_revoked() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).store();

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.REVOKED);
    }

    @Test
    void an_entry_marked_expired_is_expired_even_before_its_expiry_time() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_EXPIRED).expiringAt(NOW.plus(Duration.ofDays(1))).store();

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.EXPIRED);
    }

    @Test
    void an_entry_whose_expiry_is_exactly_now_is_expired() {
        KeyHash hash = anActiveEntry().expiringAt(NOW).store();

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.EXPIRED);
    }

    @Test
    void an_entry_expiring_one_millisecond_from_now_is_still_valid() {
        KeyHash hash = anActiveEntry().expiringAt(NOW.plusMillis(1)).store();

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void an_entry_turns_expired_the_moment_the_clock_reaches_its_expiry() {
        KeyHash hash = anActiveEntry().expiringAt(NOW.plusMillis(1)).store();
        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.VALID);

        clock.advance(Duration.ofMillis(1));

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.EXPIRED);
    }

    // ---- rotation grace ----

    @Test
    void a_previous_secret_within_its_grace_is_valid_and_reports_when_the_grace_ends() {
        Instant graceUntil = NOW.plus(Duration.ofHours(1));
        KeyHash previous = anActiveEntry().inRotationGraceUntil(graceUntil).store();

        Verification verification = verifyUse(previous);

        assertThat(verification.code()).isEqualTo(VerificationCode.VALID);
        assertThat(verification.rotationGraceUntil()).isEqualTo(graceUntil);
    }

    @Test
    void a_previous_secret_one_millisecond_before_its_grace_ends_is_valid() {
        Instant graceUntil = NOW.plus(Duration.ofHours(1));
        KeyHash previous = anActiveEntry().inRotationGraceUntil(graceUntil).store();

        clock.set(graceUntil.minusMillis(1));

        assertThat(verifyUse(previous).code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void a_previous_secret_is_expired_when_its_grace_ends() {
        Instant graceUntil = NOW.plus(Duration.ofHours(1));
        KeyHash previous = anActiveEntry().inRotationGraceUntil(graceUntil).store();

        clock.set(graceUntil);

        assertThat(verifyUse(previous).code()).isEqualTo(VerificationCode.EXPIRED);
    }

    // ---- permissions ----

    @Test
    void holding_every_required_permission_is_valid() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read", "payments:write", "refunds:create")
                .store();

        assertThat(verifyUse(hash, "payments:read", "refunds:create").code())
                .isEqualTo(VerificationCode.VALID);
    }

    @Test
    void missing_one_required_permission_is_insufficient() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read").store();

        assertThat(verifyUse(hash, "payments:read", "refunds:create").code())
                .isEqualTo(VerificationCode.INSUFFICIENT_PERMISSIONS);
    }

    @Test
    void requiring_nothing_is_valid_for_a_key_holding_nothing() {
        KeyHash hash = anActiveEntry().store();

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void the_star_permission_grants_anything() {
        KeyHash hash = anActiveEntry().withPermissions("*").store();

        assertThat(verifyUse(hash, "payments:read", "keys:delete", "anything").code())
                .isEqualTo(VerificationCode.VALID);
    }

    @Test
    void a_namespace_wildcard_grants_permissions_inside_its_namespace() {
        KeyHash hash = anActiveEntry().withPermissions("payments:*").store();

        assertThat(verifyUse(hash, "payments:read").code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void a_namespace_wildcard_does_not_grant_permissions_of_another_namespace() {
        KeyHash hash = anActiveEntry().withPermissions("payments:*").store();

        assertThat(verifyUse(hash, "refunds:read").code()).isEqualTo(VerificationCode.INSUFFICIENT_PERMISSIONS);
    }

    @Test
    void a_revoked_key_is_revoked_rather_than_insufficient() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).withPermissions("payments:read").store();

        assertThat(verifyUse(hash, "refunds:create").code()).isEqualTo(VerificationCode.REVOKED);
    }

    // ---- rate limit ----

    @Test
    void a_key_allows_its_limit_within_the_window_then_is_rate_limited() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();

        List<Verification> allowed = verifyUseTimes(hash, 3);
        Verification fourth = verifyUse(hash);

        assertThat(allowed).extracting(Verification::code).containsOnly(VerificationCode.VALID);
        assertThat(allowed).extracting(verification -> verification.rateLimit().remaining())
                .containsExactly(2, 1, 0);
        assertThat(fourth.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        RateLimitState limited = fourth.rateLimit();
        assertThat(limited.limit()).isEqualTo(3);
        assertThat(limited.windowSeconds()).isEqualTo(60);
        assertThat(limited.remaining()).isZero();
        assertThat(limited.retryAfterSeconds()).isPositive();
    }

    @ParameterizedTest(name = "limit {0} per 60 s")
    @ValueSource(ints = {3, 7, 9, 13, 19, 22, 997})
    void a_burst_of_exactly_the_limit_is_allowed_whatever_the_limit(int limit) {
        KeyHash hash = anActiveEntry().rateLimited(limit, 60).store();

        List<Verification> burst = verifyUseTimes(hash, limit);
        Verification oneMore = verifyUse(hash);

        assertThat(burst).extracting(Verification::code).containsOnly(VerificationCode.VALID);
        assertThat(oneMore.code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    @Test
    void remaining_is_exact_where_the_emission_interval_is_no_whole_number_of_microseconds() {
        KeyHash hash = anActiveEntry().rateLimited(600_000, 1).store();

        assertThat(verifyUse(hash, 1000).rateLimit().remaining()).isEqualTo(599_000);
    }

    @Test
    void a_burst_admits_exactly_the_limit_where_the_emission_interval_is_no_whole_number_of_microseconds() {
        KeyHash hash = anActiveEntry().rateLimited(700_000, 86_400).store();

        List<Verification> burst = IntStream.range(0, 700).mapToObj(i -> verifyUse(hash, 1000)).toList();
        Verification oneMore = verifyUse(hash, 1);

        assertThat(burst).extracting(Verification::code).containsOnly(VerificationCode.VALID);
        assertThat(burst.get(burst.size() - 1).rateLimit().remaining()).isZero();
        assertThat(oneMore.code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    @Test
    void an_allowed_verification_reports_the_limit_and_no_retry() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();

        RateLimitState state = verifyUse(hash).rateLimit();

        assertThat(state.limit()).isEqualTo(3);
        assertThat(state.windowSeconds()).isEqualTo(60);
        assertThat(state.resetSeconds()).isPositive();
        assertThat(state.retryAfterSeconds()).isNull();
    }

    @Test
    void a_rate_limited_key_is_valid_again_once_the_retry_time_has_passed() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();
        verifyUseTimes(hash, 3);
        long retryAfterSeconds = verifyUse(hash).rateLimit().retryAfterSeconds();

        clock.advance(Duration.ofSeconds(retryAfterSeconds));

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void a_rate_limited_key_is_still_limited_just_before_the_retry_time() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();
        verifyUseTimes(hash, 3);
        long retryAfterSeconds = verifyUse(hash).rateLimit().retryAfterSeconds();

        clock.advance(Duration.ofSeconds(retryAfterSeconds).minusMillis(1));

        assertThat(verifyUse(hash).code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    @Test
    void a_verification_costing_two_spends_two_units() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();

        Verification costlyOne = verifyUse(hash, 2);
        Verification tooCostly = verifyUse(hash, 2);
        Verification cheapOne = verifyUse(hash, 1);

        assertThat(costlyOne.code()).isEqualTo(VerificationCode.VALID);
        assertThat(costlyOne.rateLimit().remaining()).isEqualTo(1);
        assertThat(tooCostly.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(cheapOne.code()).isEqualTo(VerificationCode.VALID);
        assertThat(cheapOne.rateLimit().remaining()).isZero();
    }

    @Test
    void a_cost_above_the_whole_limit_is_rate_limited_with_no_retry_and_spends_nothing() {
        KeyHash hash = anActiveEntry().rateLimited(3, 60).store();

        Verification tooCostly = verifyUse(hash, 4);
        Verification whole = verifyUse(hash, 3);

        assertThat(tooCostly.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(tooCostly.rateLimit().remaining()).isEqualTo(3);
        assertThat(tooCostly.rateLimit().retryAfterSeconds()).isNull();
        assertThat(whole.code()).isEqualTo(VerificationCode.VALID);
    }

    @Test
    void a_rejected_verification_spends_no_rate_limit_units() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read").rateLimited(3, 60).store();

        List<Verification> rejected = IntStream.range(0, 5)
                .mapToObj(i -> verifyUse(hash, "refunds:create")).toList();
        Verification firstAllowed = verifyUse(hash, "payments:read");

        assertThat(rejected).extracting(Verification::code)
                .containsOnly(VerificationCode.INSUFFICIENT_PERMISSIONS);
        assertThat(rejected).extracting(Verification::rateLimit).containsOnlyNulls();
        assertThat(firstAllowed.rateLimit().remaining()).isEqualTo(2);
    }

    @Test
    void a_revoked_key_creates_no_rate_limit_state() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).rateLimited(1, 60).store();

        List<Verification> verifications = verifyUseTimes(hash, 3);

        assertThat(verifications).extracting(Verification::code).containsOnly(VerificationCode.REVOKED);
        assertThat(redis.hasKey(ValidationViewKeys.rateLimit(hash))).isFalse();
    }

    @Test
    void a_key_without_a_rate_limit_is_never_limited() {
        KeyHash hash = anActiveEntry().store();

        List<Verification> verifications = verifyUseTimes(hash, 20);

        assertThat(verifications).extracting(Verification::code).containsOnly(VerificationCode.VALID);
        assertThat(verifications).extracting(Verification::rateLimit).containsOnlyNulls();
    }

    @Test
    void both_secrets_of_a_key_in_rotation_grace_drain_one_bucket() {
        KeyHash previous = newHash();
        KeyHash current = rotatedFrom(previous);
        new ViewEntry(current).rateLimited(3, 60).store();
        new ViewEntry(previous).rateLimited(3, 60).inRotationGraceUntil(NOW.plus(Duration.ofHours(1))).store();

        List<Verification> alternating = List.of(verifyUse(current), verifyUse(previous), verifyUse(current),
                verifyUse(previous));

        assertThat(alternating).extracting(Verification::code).containsExactly(VerificationCode.VALID,
                VerificationCode.VALID, VerificationCode.VALID, VerificationCode.RATE_LIMITED);
        assertThat(alternating).extracting(verification -> verification.rateLimit().remaining())
                .containsExactly(2, 1, 0, 0);
    }

    @Test
    void the_bucket_of_a_key_continues_across_its_rotation() {
        KeyHash before = anActiveEntry().rateLimited(3, 60).store();
        verifyUseTimes(before, 2);

        KeyHash after = rotatedFrom(before);
        new ViewEntry(after).rateLimited(3, 60).store();
        new ViewEntry(before).rateLimited(3, 60).inRotationGraceUntil(NOW).store();

        assertThat(verifyUse(after).rateLimit().remaining()).isZero();
        assertThat(verifyUse(after).code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    @Test
    void keys_whose_secrets_share_a_slot_keep_buckets_of_their_own() {
        KeyHash first = anActiveEntry().rateLimited(1, 60).store();
        KeyHash ofAnotherKey = rotatedFrom(first);
        new ViewEntry(ofAnotherKey).withKeyId("key_0002").rateLimited(1, 60).store();

        assertThat(verifyUse(first).code()).isEqualTo(VerificationCode.VALID);
        assertThat(verifyUse(ofAnotherKey).code()).isEqualTo(VerificationCode.VALID);
        assertThat(verifyUse(first).code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    // ---- named limits ----

    @Test
    void a_request_the_third_limit_refuses_leaves_the_first_two_untouched() {
        KeyHash hash = anActiveEntry().limitedBy(new RateLimitPolicy("default", 100, 1, null),
                new RateLimitPolicy("tokens", 1_000, 86_400, null), new RateLimitPolicy("writes", 2, 60, null)).store();
        verifyCosting(hash, Map.of("tokens", 10));
        verifyCosting(hash, Map.of("tokens", 10));
        Map<String, String> bucketsBefore = redis.<String, String>opsForHash().entries(ValidationViewKeys.rateLimit(hash));

        Verification third = verifyCosting(hash, Map.of("tokens", 10));

        assertThat(third.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(third.rateLimits()).extracting(RateLimitState::name, RateLimitState::refused,
                        RateLimitState::remaining)
                .containsExactly(tuple("default", false, 98), tuple("tokens", false, 980), tuple("writes", true, 0));
        assertThat(redis.<String, String>opsForHash().entries(ValidationViewKeys.rateLimit(hash)))
                .isEqualTo(bucketsBefore);
        assertThat(third.rateLimits().get(2).retryAfterSeconds()).isEqualTo(30);
    }

    @Test
    void each_limit_is_charged_its_own_cost_and_a_limit_not_named_costs_one() {
        KeyHash hash = anActiveEntry().limitedBy(new RateLimitPolicy("default", 10, 60, null),
                new RateLimitPolicy("tokens", 1_000, 60, null)).store();

        Verification first = verifyCosting(hash, Map.of("tokens", 400));
        Verification free = verifyCosting(hash, Map.of("tokens", 0, "default", 0));
        Verification unknownName = verifyCosting(hash, Map.of("other", 5));

        assertThat(first.rateLimits()).extracting(RateLimitState::remaining).containsExactly(9, 600);
        assertThat(free.rateLimits()).extracting(RateLimitState::remaining).containsExactly(9, 600);
        assertThat(unknownName.rateLimits()).extracting(RateLimitState::remaining).containsExactly(8, 599);
        assertThat(verifyCosting(hash, Map.of("tokens", 599)).code()).isEqualTo(VerificationCode.VALID);
        assertThat(verifyCosting(hash, Map.of("tokens", 1)).code()).isEqualTo(VerificationCode.RATE_LIMITED);
    }

    @Test
    void a_cost_above_one_whole_limit_is_refused_with_no_retry() {
        KeyHash hash = anActiveEntry().limitedBy(new RateLimitPolicy("default", 10, 60, null),
                new RateLimitPolicy("tokens", 1_000, 60, null)).store();

        Verification tooCostly = verifyCosting(hash, Map.of("tokens", 1_001));

        assertThat(tooCostly.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(tooCostly.rateLimits()).extracting(RateLimitState::refused, RateLimitState::retryAfterSeconds)
                .containsExactly(tuple(false, null), tuple(true, null));
        assertThat(verifyUse(hash).rateLimits()).extracting(RateLimitState::remaining).containsExactly(9, 999);
    }

    @Test
    void an_owner_wide_limit_is_one_bucket_for_every_key_of_the_owner_across_a_rotation() {
        RateLimitPolicy perCustomer = new RateLimitPolicy("customer", 3, 60, RateLimitSharing.OWNER);
        RateLimitPolicy perKey = new RateLimitPolicy("default", 10, 60, null);
        KeyHash first = ownersKey(OWNER_OF_ENTRY);
        new ViewEntry(first).limitedBy(perKey, perCustomer).store();
        KeyHash second = ownersKey(OWNER_OF_ENTRY);
        new ViewEntry(second).withKeyId("key_0002").limitedBy(perKey, perCustomer).store();
        KeyHash ofAnotherOwner = ownersKey("owner_0002");
        new ViewEntry(ofAnotherOwner).withKeyId("key_0003").withOwner("owner_0002").limitedBy(perKey, perCustomer)
                .store();

        assertThat(verifyUse(first).code()).isEqualTo(VerificationCode.VALID);
        assertThat(verifyUse(second).code()).isEqualTo(VerificationCode.VALID);
        KeyHash rotated = rotatedFrom(first);
        new ViewEntry(rotated).limitedBy(perKey, perCustomer).store();
        Verification third = verifyUse(rotated);
        Verification fourth = verifyUse(second);

        assertThat(third.code()).isEqualTo(VerificationCode.VALID);
        assertThat(third.rateLimits()).extracting(RateLimitState::name, RateLimitState::ownerWide,
                RateLimitState::remaining).containsExactly(tuple("default", false, 8), tuple("customer", true, 0));
        assertThat(fourth.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(fourth.rateLimits()).extracting(RateLimitState::remaining).containsExactly(9, 0);
        assertThat(verifyUse(ofAnotherOwner).code()).isEqualTo(VerificationCode.VALID);
        assertThat(redis.<String, String>opsForHash().keys(ValidationViewKeys.rateLimit(first))).as("as named in Java")
                .contains(ValidationViewKeys.bucketField(KEY_ID_OF_ENTRY, OWNER_OF_ENTRY, perKey),
                        ValidationViewKeys.bucketField("key_0002", OWNER_OF_ENTRY, perKey),
                        ValidationViewKeys.bucketField(KEY_ID_OF_ENTRY, OWNER_OF_ENTRY, perCustomer));
        // every key of an owner, and so its owner-wide buckets, lie in one Redis Cluster slot
        assertThat(Stream.of(first, second, rotated).map(KeyHash::slot).distinct())
                .containsExactly(ApiKeySecret.ownerSlot(OWNER_OF_ENTRY));
    }

    @Test
    void keys_that_define_an_owner_wide_limit_otherwise_draw_from_buckets_of_their_own() {
        KeyHash strict = ownersKey(OWNER_OF_ENTRY);
        new ViewEntry(strict).limitedBy(new RateLimitPolicy("customer", 1, 86_400, RateLimitSharing.OWNER)).store();
        KeyHash loose = ownersKey(OWNER_OF_ENTRY);
        new ViewEntry(loose).withKeyId("key_0002")
                .limitedBy(new RateLimitPolicy("customer", 100, 60, RateLimitSharing.OWNER)).store();

        assertThat(verifyUse(strict).code()).isEqualTo(VerificationCode.VALID);
        assertThat(verifyUse(strict).code()).isEqualTo(VerificationCode.RATE_LIMITED);
        Verification other = verifyUse(loose);

        assertThat(other.code()).as("not starved by the stricter definition").isEqualTo(VerificationCode.VALID);
        assertThat(other.rateLimits().get(0).remaining()).isEqualTo(99);
    }

    @Test
    void a_bucket_written_before_limits_had_names_is_the_default_limits_bucket() {
        KeyHash hash = anActiveEntry().rateLimited(2, 60).store();
        // as 1.0's script left it: the key's field, its arrival time a full window ahead
        redis.opsForHash().put(ValidationViewKeys.rateLimit(hash), KEY_ID_OF_ENTRY,
                (NOW.toEpochMilli() + 60_000) + " 0 2");

        Verification spent = verifyUse(hash);

        assertThat(spent.code()).isEqualTo(VerificationCode.RATE_LIMITED);
        assertThat(spent.rateLimit().remaining()).isZero();
    }

    @Test
    void the_one_limit_named_default_is_written_as_1_0_wrote_it() {
        Map<String, String> one = ValidationViewKeys.settingsFields(List.of(), null,
                List.of(new RateLimitPolicy(3, 60)), null, null);
        Map<String, String> named = ValidationViewKeys.settingsFields(List.of(), null,
                List.of(new RateLimitPolicy("default", 3, 60, RateLimitSharing.OWNER)), null, null);

        assertThat(one).containsEntry(RATE_LIMIT, "3").containsEntry(RATE_WINDOW_SECONDS, "60");
        assertThat(named).containsEntry(RATE_LIMIT, "default/3/60/o").doesNotContainKey(RATE_WINDOW_SECONDS);
    }

    @Test
    void an_entry_written_before_limits_had_names_keeps_its_one_limit() {
        KeyHash hash = anActiveEntry().limitedAsBeforeNames(2, 60).store();

        List<Verification> uses = verifyUseTimes(hash, 3);

        assertThat(uses).extracting(Verification::code).containsExactly(VerificationCode.VALID,
                VerificationCode.VALID, VerificationCode.RATE_LIMITED);
        assertThat(uses.get(0).rateLimit()).isEqualTo(new RateLimitState("default", false, 2, 60, 1, 30, false,
                null));
    }

    // ---- usage ----

    @Test
    void valid_and_rejected_verifications_are_counted_apart_and_last_use_is_the_latest_valid_one() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read").store();
        verifyUse(hash, "payments:read");
        clock.advance(Duration.ofSeconds(5));
        Instant latestValidUse = clock.instant();
        verifyUse(hash, "payments:read");
        clock.advance(Duration.ofSeconds(5));

        verifyUse(hash, "refunds:create");

        assertThat(usageOf(hash))
                .containsEntry(KEY_ID, KEY_ID_OF_ENTRY)
                .containsEntry(USAGE_VALID, "2")
                .containsEntry(USAGE_REJECTED, "1")
                .containsEntry(USAGE_LAST_USED, Long.toString(latestValidUse.toEpochMilli()));
    }

    @Test
    void a_rate_limited_verification_counts_as_rejected() {
        KeyHash hash = anActiveEntry().rateLimited(1, 60).store();

        verifyUseTimes(hash, 2);

        assertThat(usageOf(hash))
                .containsEntry(USAGE_VALID, "1")
                .containsEntry(USAGE_REJECTED, "1");
    }

    @Test
    void a_rejected_key_that_was_never_valid_has_no_last_use() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).store();

        verifyUse(hash);

        assertThat(usageOf(hash))
                .containsEntry(USAGE_REJECTED, "1")
                .doesNotContainKeys(USAGE_VALID, USAGE_LAST_USED);
    }

    // ---- inspect ----

    @Test
    void inspecting_reports_the_key_without_counting_usage_or_spending_rate_limit() {
        KeyHash hash = anActiveEntry().withPermissions("keys:*").rateLimited(1, 60).store();

        List<Verification> inspections = IntStream.range(0, 3).mapToObj(i -> verifier.inspect(hash)).toList();

        assertThat(inspections).extracting(Verification::code).containsOnly(VerificationCode.VALID);
        assertThat(inspections).extracting(Verification::keyId).containsOnly(KEY_ID_OF_ENTRY);
        assertThat(inspections).extracting(Verification::rateLimit).containsOnlyNulls();
        assertThat(allRedisKeys()).containsExactly(ValidationViewKeys.entry(hash));
    }

    @Test
    void a_use_after_inspections_still_has_the_whole_rate_limit() {
        KeyHash hash = anActiveEntry().rateLimited(1, 60).store();
        verifier.inspect(hash);
        verifier.inspect(hash);

        Verification use = verifyUse(hash);

        assertThat(use.code()).isEqualTo(VerificationCode.VALID);
        assertThat(use.rateLimit().remaining()).isZero();
    }

    @Test
    void inspecting_a_revoked_key_reports_it_revoked_without_counting_a_rejection() {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).store();

        Verification inspection = verifier.inspect(hash);

        assertThat(inspection.code()).isEqualTo(VerificationCode.REVOKED);
        assertThat(redis.hasKey(ValidationViewKeys.usage(hash))).isFalse();
    }

    // ---- caller's scope ----

    @ParameterizedTest(name = "scope {0} covers the owner")
    @ValueSource(strings = {OWNER_OF_ENTRY, "owner_*", "owner_0001*", "other owner_0001"})
    void a_scoped_caller_verifies_a_key_of_an_owner_in_its_scope(String scopeOwners) {
        KeyHash hash = anActiveEntry().store();

        Verification verification = verifyUse(hash, List.of(), 1, scopeOf(scopeOwners));

        assertThat(verification.code()).isEqualTo(VerificationCode.VALID);
        assertThat(verification.keyId()).isEqualTo(KEY_ID_OF_ENTRY);
    }

    @ParameterizedTest(name = "scope {0} leaves the owner out")
    @ValueSource(strings = {"owner_0002", "owner_00011", "owner_0002*", "owner", "wner_0001", "OWNER_*"})
    void a_key_outside_the_callers_scope_is_not_found_and_nothing_of_it_is_counted_or_told(String scopeOwners) {
        KeyHash hash = anActiveEntry().withStatus(STATUS_REVOKED).rateLimited(5, 60).store();

        Verification verification = verifyUse(hash, List.of(), 1, scopeOf(scopeOwners));

        assertThat(verification).isEqualTo(Verification.of(VerificationCode.NOT_FOUND));
        assertThat(usageOf(hash)).isEmpty();
        assertThat(redis.hasKey(ValidationViewKeys.rateLimit(hash))).isFalse();
    }

    @Test
    void the_scope_of_a_scoped_caller_does_not_change_what_the_script_decides_inside_it() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read").store();

        Verification verification = verifyUse(hash, List.of("payments:write"), 1, scopeOf("owner_*"));

        assertThat(verification.code()).isEqualTo(VerificationCode.INSUFFICIENT_PERMISSIONS);
    }

    @Test
    void inspect_reports_the_scope_a_root_key_acts_within() {
        KeyHash scoped = anActiveEntry().withPermissions("keys:read").withScope("acme", "beta-*").store();
        KeyHash unscoped = anActiveEntry().withPermissions("keys:read").store();

        assertThat(verifier.inspect(scoped).scope()).isEqualTo(KeyScope.of("acme", "beta-*"));
        assertThat(verifier.inspect(unscoped).scope()).isNull();
    }

    private static KeyScope scopeOf(String owners) {
        return new KeyScope(List.of(owners.split(" ")));
    }

    // ---- redis footprint ----

    @Test
    void every_key_the_verifications_of_a_key_in_rotation_grace_touch_lies_in_one_cluster_slot() {
        KeyHash previous = newHash();
        KeyHash current = rotatedFrom(previous);
        new ViewEntry(current).rateLimited(3, 60).store();
        new ViewEntry(previous).rateLimited(3, 60).inRotationGraceUntil(NOW.plus(Duration.ofHours(1))).store();

        verifyUse(current);
        verifyUse(previous);

        Set<String> keys = allRedisKeys();
        assertThat(keys).containsExactlyInAnyOrder(ValidationViewKeys.entry(current),
                ValidationViewKeys.entry(previous), ValidationViewKeys.rateLimit(current),
                ValidationViewKeys.usage(current), ValidationViewKeys.usage(previous));
        // Lettuce's own CRC16 and hash-tag rule, as a cluster client routes
        assertThat(keys).extracting(SlotHash::getSlot).containsOnly(SlotHash.getSlot(current.hex()));
    }

    @Test
    void each_verification_is_a_single_script_call() {
        KeyHash hash = anActiveEntry().withPermissions("payments:read").rateLimited(100, 60).store();
        verifyUse(hash, "payments:read");
        long scriptCallsBefore = scriptCallsSoFar();

        verifyUseTimes(hash, 5);
        verifier.inspect(hash);

        assertThat(scriptCallsSoFar() - scriptCallsBefore).isEqualTo(6);
    }

    @Test
    void a_verification_of_either_secret_in_rotation_grace_is_a_single_script_call() {
        KeyHash previous = newHash();
        KeyHash current = rotatedFrom(previous);
        new ViewEntry(current).rateLimited(100, 60).store();
        new ViewEntry(previous).rateLimited(100, 60).inRotationGraceUntil(NOW.plus(Duration.ofHours(1))).store();
        verifyUse(current);
        long scriptCallsBefore = scriptCallsSoFar();

        verifyUseTimes(current, 3);
        verifyUseTimes(previous, 3);

        assertThat(scriptCallsSoFar() - scriptCallsBefore).isEqualTo(6);
    }

    // ---- helpers ----


    @Test
    void a_key_with_an_allowlist_is_valid_from_inside_its_networks_from_the_network_to_the_broadcast_address() {
        KeyHash hash = anActiveEntry().allowedFrom("203.0.113.0/24", "2001:db8::/48", "10.1.2.3").store();

        for (String inside : List.of("203.0.113.0", "203.0.113.255", "2001:db8::1", "2001:db8:0:ffff::",
                "10.1.2.3", "::ffff:203.0.113.9")) {
            assertThat(verifyFrom(hash, inside).code()).as(inside).isEqualTo(VerificationCode.VALID);
        }
    }

    @Test
    void a_use_from_outside_the_allowlist_is_forbidden_source_and_spends_nothing() {
        KeyHash hash = anActiveEntry().allowedFrom("203.0.113.0/24", "2001:db8::/48").rateLimited(1, 60).store();

        for (String outside : List.of("203.0.112.255", "203.0.114.0", "2001:db9::1", "10.0.0.1", "customer-42",
                "::ffff:198.51.100.1", "*", "")) {
            Verification refused = verifyFrom(hash, outside);
            assertThat(refused.code()).as(outside).isEqualTo(VerificationCode.FORBIDDEN_SOURCE);
            assertThat(refused.rateLimit()).as("no rate limit spent").isNull();
        }
        assertThat(verifyFrom(hash, "203.0.113.1").code()).as("the whole limit is left").isEqualTo(
                VerificationCode.VALID);
        assertThat(redis.opsForHash().get(ValidationViewKeys.usage(hash), ValidationViewKeys.USAGE_REJECTED))
                .isEqualTo("8");
    }

    @Test
    void a_revoked_key_answers_revoked_wherever_it_is_used_from_and_permissions_come_after_the_source() {
        KeyHash revoked = anActiveEntry().withStatus(STATUS_REVOKED).allowedFrom("10.0.0.0/8").store();
        assertThat(verifyFrom(revoked, "192.0.2.1").code()).isEqualTo(VerificationCode.REVOKED);

        KeyHash narrow = anActiveEntry().withPermissions("payments:read").allowedFrom("10.0.0.0/8")
                .store();
        assertThat(verifyUse(narrow, List.of("payments:write"), 1, null, "192.0.2.1").code())
                .isEqualTo(VerificationCode.FORBIDDEN_SOURCE);
        assertThat(verifyUse(narrow, List.of("payments:write"), 1, null, "10.9.9.9").code())
                .isEqualTo(VerificationCode.INSUFFICIENT_PERMISSIONS);
    }

    @Test
    void a_management_credential_check_does_not_look_at_the_source() {
        KeyHash hash = anActiveEntry().allowedFrom("10.0.0.0/8").store();

        assertThat(verifier.inspect(hash).code()).isEqualTo(VerificationCode.VALID);
    }

    private Verification verifyUse(KeyHash hash, String... requiredPermissions) {
        return verifyUse(hash, Arrays.asList(requiredPermissions), 1, null);
    }

    private Verification verifyUse(KeyHash hash, int cost) {
        return verifyUse(hash, List.of(), cost, null);
    }

    Verification verifyUse(KeyHash hash, List<String> requiredPermissions, int cost, KeyScope scope) {
        return verifyUse(hash, requiredPermissions, cost, scope, GATEWAY);
    }

    Verification verifyUse(KeyHash hash, List<String> requiredPermissions, int cost, KeyScope scope, String source) {
        return verifyUse(hash, requiredPermissions, Map.of(RateLimitPolicy.DEFAULT, cost), scope, source);
    }

    private Verification verifyCosting(KeyHash hash, Map<String, Integer> costs) {
        return verifyUse(hash, List.of(), costs, null, GATEWAY);
    }

    /** Every use in these tests goes through here: {@link VerifyScriptWithoutBlockingTest} runs them all its way. */
    Verification verifyUse(KeyHash hash, List<String> requiredPermissions, Map<String, Integer> costs,
                           KeyScope scope, String source) {
        return verifier.verifyUse(hash, requiredPermissions, costs, scope, source);
    }

    private Verification verifyFrom(KeyHash hash, String source) {
        return verifyUse(hash, List.of(), 1, null, source);
    }

    private List<Verification> verifyUseTimes(KeyHash hash, int times) {
        return IntStream.range(0, times).mapToObj(i -> verifyUse(hash)).toList();
    }

    private static KeyHash newHash() {
        return ApiKeySecret.generate(KeyEnvironment.LIVE, RANDOM).hash();
    }

    /** A secret's hash as rotation mints it: in the slot of the secret before. */
    private static KeyHash rotatedFrom(KeyHash previous) {
        return ApiKeySecret.rotatedFrom(previous, KeyEnvironment.LIVE, SecretRandom.generate(RANDOM)).hash();
    }

    /** A key's secret as creation mints it: in its owner's slot. */
    private static KeyHash ownersKey(String ownerId) {
        return ApiKeySecret.forOwner(ownerId, KeyEnvironment.LIVE, SecretRandom.generate(RANDOM)).hash();
    }

    private static ViewEntry anActiveEntry() {
        return new ViewEntry(newHash());
    }

    private static Map<String, String> usageOf(KeyHash hash) {
        return redis.<String, String>opsForHash().entries(ValidationViewKeys.usage(hash));
    }

    private static Set<String> allRedisKeys() {
        return redis.keys("*");
    }

    private static String hashTagOf(String key) {
        Matcher matcher = HASH_TAG.matcher(key);
        return matcher.find() ? matcher.group(1) : "";
    }

    /** calls of EVALSHA and EVAL so far, from INFO commandstats (a command never run has no line). */
    private static long scriptCallsSoFar() {
        try (RedisConnection connection = connectionFactory.getConnection()) {
            Properties stats = connection.serverCommands().info("commandstats");
            return callsOf(stats, "cmdstat_evalsha") + callsOf(stats, "cmdstat_eval");
        }
    }

    private static long callsOf(Properties stats, String command) {
        String line = stats.getProperty(command);
        if (line == null) {
            return 0;
        }
        Map<String, String> fields = Arrays.stream(line.split(","))
                .map(field -> field.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
        return Long.parseLong(fields.get("calls"));
    }

    /** A validation view entry as the projector writes it: an active key with no expiry, grace or rate limit. */
    private static final class ViewEntry {

        private final KeyHash hash;
        private final Map<String, String> fields = new HashMap<>();

        ViewEntry(KeyHash hash) {
            this.hash = hash;
            fields.put(KEY_ID, KEY_ID_OF_ENTRY);
            fields.put(OWNER_ID, OWNER_OF_ENTRY);
            fields.put(STATUS, STATUS_ACTIVE);
            fields.put(PERMISSIONS, "");
        }

        ViewEntry withKeyId(String keyId) {
            fields.put(KEY_ID, keyId);
            return this;
        }

        ViewEntry withOwner(String ownerId) {
            fields.put(OWNER_ID, ownerId);
            return this;
        }

        ViewEntry withStatus(String status) {
            fields.put(STATUS, status);
            return this;
        }

        ViewEntry withPermissions(String... permissions) {
            fields.put(PERMISSIONS, String.join(" ", permissions));
            return this;
        }

        ViewEntry withScope(String... owners) {
            fields.put(ValidationViewKeys.SCOPE, String.join(" ", owners));
            return this;
        }

        ViewEntry expiringAt(Instant expiresAt) {
            fields.put(EXPIRES_AT, Long.toString(expiresAt.toEpochMilli()));
            return this;
        }

        ViewEntry inRotationGraceUntil(Instant graceUntil) {
            fields.put(GRACE_UNTIL, Long.toString(graceUntil.toEpochMilli()));
            return this;
        }

        ViewEntry allowedFrom(String... blocks) {
            fields.put(ValidationViewKeys.ALLOWED_SOURCES, String.join(" ",
                    Stream.of(blocks).map(block -> AllowedSources.prefixBits(AllowedSources.canonical(block)
                            .orElseThrow())).toList()));
            return this;
        }

        ViewEntry rateLimited(int limit, int windowSeconds) {
            return limitedBy(new RateLimitPolicy(limit, windowSeconds));
        }

        ViewEntry limitedBy(RateLimitPolicy... limits) {
            Map<String, String> settings = ValidationViewKeys.settingsFields(List.of(), null, List.of(limits), null,
                    null);
            for (String field : List.of(RATE_LIMIT, RATE_WINDOW_SECONDS)) {
                if (settings.containsKey(field)) {
                    fields.put(field, settings.get(field));
                }
            }
            return this;
        }

        /** The one limit as entries written before limits had names hold it. */
        ViewEntry limitedAsBeforeNames(int limit, int windowSeconds) {
            fields.put(RATE_LIMIT, Integer.toString(limit));
            fields.put(RATE_WINDOW_SECONDS, Integer.toString(windowSeconds));
            return this;
        }

        KeyHash store() {
            redis.opsForHash().putAll(ValidationViewKeys.entry(hash), fields);
            return hash;
        }
    }
}

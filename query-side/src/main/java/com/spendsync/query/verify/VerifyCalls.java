package com.spendsync.query.verify;

import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimits;
import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.KeyScope;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyHash;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.problem.FieldProblem;
import com.spendsync.platform.problem.InvalidRequestException;
import com.spendsync.platform.security.AccessFailures;
import com.spendsync.platform.verification.Verification;
import com.spendsync.platform.verification.VerificationCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * One call of {@code POST /v1/keys/verify} as the contract defines it, whichever server takes it (Spring MVC, or
 * the non-blocking one of {@link NonBlockingVerifyServer}): the request's checks, the decision, the refusals
 * counted for the audit trail and the alert rules, and the answer with its RateLimit headers. A key with a bad
 * prefix, length, alphabet or checksum is {@code MALFORMED} with no I/O at all, and so is a live key presented by a
 * test root key ({@code NOT_FOUND}); anything else costs one Redis round trip, which also keeps a scoped caller to the
 * keys of its scope. Rate-limit headers follow the IETF RateLimit header fields draft.
 */
@Component
class VerifyCalls {

    static final String PATH = "/v1/keys/verify";
    static final String PERMISSION_NEEDED = "keys:verify";
    static final int MAX_REQUIRED_PERMISSIONS = 50;
    static final int MAX_COST = 1000;
    /** A named cost may be 0 (not charged this time) and as large as the largest limit: a day's tokens in one call. */
    static final int MAX_NAMED_COST = RateLimits.MAX_LIMIT;
    /** Every limit a key may hold, and the name reserved for credits. */
    static final int MAX_COSTS = RateLimits.MAX + 1;
    static final int MAX_SOURCE = 128;
    static final int MAX_KEY = 256;
    private static final Pattern PERMISSION = Pattern.compile("[a-z0-9_.:*-]{1,64}");
    /** The refusals counted for the audit trail and the alert rules; a missing permission is the caller's business. */
    private static final Map<VerificationCode, String> REFUSALS = new EnumMap<>(Map.of(
            VerificationCode.MALFORMED, AccessFailures.MALFORMED_KEY,
            VerificationCode.NOT_FOUND, AccessFailures.UNKNOWN_KEY,
            VerificationCode.RATE_LIMITED, AccessFailures.RATE_LIMITED,
            VerificationCode.REVOKED, AccessFailures.REVOKED_KEY,
            VerificationCode.EXPIRED, AccessFailures.EXPIRED_KEY,
            VerificationCode.FORBIDDEN_SOURCE, AccessFailures.FORBIDDEN_SOURCE));

    /** The answer: 200 with these headers and this body. */
    record Answer(HttpHeaders headers, VerifyResponse body) {
    }

    /** How the key's use is decided: on the caller's thread, or without blocking it. */
    interface UseCheck {
        CompletionStage<Verification> verifyUse(KeyHash hash, List<String> required, Map<String, Integer> costs,
                                                KeyScope scope, String source);
    }

    private final AccessFailures failures;

    VerifyCalls(AccessFailures failures) {
        this.failures = failures;
    }

    /**
     * The answer to a caller already authenticated and holding {@value #PERMISSION_NEEDED}; a request failing its
     * checks throws {@link InvalidRequestException} before anything is decided or counted.
     */
    CompletionStage<Answer> answer(VerifyRequest request, Caller caller, UseCheck check) {
        List<String> required = Optional.ofNullable(request.permissions()).orElse(List.of());
        validate(request, required);
        Map<String, Integer> costs = costsOf(request);
        Optional<ApiKeySecret> secret = ApiKeySecret.parse(request.key());
        Authority authority = caller.authority();
        // the end client as the gateway names it, else the gateway itself: what allowlists and refusal counts see
        String source = request.source() != null ? request.source() : caller.source();
        CompletionStage<Verification> verification;
        if (secret.isEmpty()) {
            verification = CompletableFuture.completedFuture(Verification.of(VerificationCode.MALFORMED));
        } else if (!authority.manages(secret.get().environment())) {
            // the prefix says it: a test gateway key never learns anything of a live key
            verification = CompletableFuture.completedFuture(Verification.of(VerificationCode.NOT_FOUND));
        } else {
            verification = check.verifyUse(secret.get().hash(), required, costs, authority.scope(), source);
        }
        return verification.thenApply(decided -> {
            String refusal = REFUSALS.get(decided.code());
            if (refusal != null && !aboveTheWholeLimit(decided)) {
                failures.record(refusal, source, decided.keyId());
            }
            return new Answer(rateLimitHeaders(decided.rateLimits()), VerifyResponse.of(decided));
        });
    }

    /** The costs by limit name: {@code cost} is the one named default; a limit not named costs 1. */
    private static Map<String, Integer> costsOf(VerifyRequest request) {
        if (request.costs() != null) {
            return request.costs();
        }
        return request.cost() == null ? Map.of() : Map.of(RateLimitPolicy.DEFAULT, request.cost());
    }

    /** A cost above a whole limit can never pass: the caller's mistake, not an attempt on the key. */
    private static boolean aboveTheWholeLimit(Verification verification) {
        return verification.code() == VerificationCode.RATE_LIMITED && verification.rateLimits().stream()
                .anyMatch(state -> state.refused() && state.retryAfterSeconds() == null);
    }

    /**
     * Every limit in each header, as lists of the draft's items ({@code "name";q=..;w=..} and
     * {@code "name";r=..;t=..}); Retry-After when the request was refused and waiting can make it pass: the
     * latest of the times the refusing limits give.
     */
    private static HttpHeaders rateLimitHeaders(List<Verification.RateLimitState> states) {
        HttpHeaders headers = new HttpHeaders();
        if (states.isEmpty()) {
            return headers;
        }
        StringJoiner policies = new StringJoiner(", ");
        StringJoiner limits = new StringJoiner(", ");
        long retryAfter = 0;
        boolean retryable = true;
        boolean refused = false;
        for (Verification.RateLimitState state : states) {
            policies.add("\"" + state.name() + "\";q=" + state.limit() + ";w=" + state.windowSeconds());
            limits.add("\"" + state.name() + "\";r=" + state.remaining() + ";t=" + state.resetSeconds());
            if (state.refused()) {
                refused = true;
                retryable &= state.retryAfterSeconds() != null;
                retryAfter = Math.max(retryAfter, state.retryAfterSeconds() == null ? 0 : state.retryAfterSeconds());
            }
        }
        headers.add("RateLimit-Policy", policies.toString());
        headers.add("RateLimit", limits.toString());
        if (refused && retryable) {
            headers.add(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter)));
        }
        return headers;
    }

    private static void validate(VerifyRequest request, List<String> required) {
        List<FieldProblem> problems = new ArrayList<>();
        if (request.key() == null) {
            problems.add(new FieldProblem("key", "is required"));
        } else if (request.key().length() > MAX_KEY) {
            problems.add(new FieldProblem("key", "must be at most " + MAX_KEY + " characters"));
        }
        if (required.size() > MAX_REQUIRED_PERMISSIONS) {
            problems.add(new FieldProblem("permissions", "must hold at most " + MAX_REQUIRED_PERMISSIONS));
        } else {
            for (int i = 0; i < required.size(); i++) {
                if (required.get(i) == null || !PERMISSION.matcher(required.get(i)).matches()) {
                    problems.add(new FieldProblem("permissions[" + i + "]",
                            "must be 1 to 64 characters of a-z 0-9 _ . : * -"));
                }
            }
        }
        if (request.cost() != null && (request.cost() < 1 || request.cost() > MAX_COST)) {
            problems.add(new FieldProblem("cost", "must be an integer from 1 to " + MAX_COST));
        }
        if (request.costs() != null) {
            checkCosts(request, problems);
        }
        if (request.source() != null && (request.source().isEmpty() || request.source().length() > MAX_SOURCE)) {
            problems.add(new FieldProblem("source", "must be 1 to " + MAX_SOURCE + " characters"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }

    private static void checkCosts(VerifyRequest request, List<FieldProblem> problems) {
        if (request.cost() != null) {
            problems.add(new FieldProblem("costs", "send cost (the cost for the limit named default) or costs, "
                    + "not both"));
        } else if (request.costs().size() > MAX_COSTS) {
            problems.add(new FieldProblem("costs", "must name at most " + MAX_COSTS + " limits"));
        } else {
            request.costs().forEach((name, cost) -> {
                if (!RateLimits.NAME.matcher(name).matches()) {
                    problems.add(new FieldProblem("costs", "names limits: " + RateLimits.NAME_RULE));
                } else if (cost == null || cost < 0 || cost > MAX_NAMED_COST) {
                    problems.add(new FieldProblem("costs." + name, "must be an integer from 0 to " + MAX_NAMED_COST));
                }
            });
        }
    }
}

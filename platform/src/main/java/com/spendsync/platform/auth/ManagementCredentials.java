package com.spendsync.platform.auth;

import com.spendsync.platform.security.AccessFailures;
import com.spendsync.api.authority.Authority;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Reads the root key a request presents ({@code Authorization: Bearer ...}) and tells who is calling. Every refused
 * credential is counted for the audit trail and the brute-force rule. The one way in for the endpoints and for the
 * health details alike.
 */
@Component
public class ManagementCredentials {

    private static final String BEARER = "Bearer ";

    private final RootKeyAuthenticator authenticator;
    private final AccessFailures failures;
    private final ClientAddresses addresses;

    public ManagementCredentials(RootKeyAuthenticator authenticator, AccessFailures failures,
                                 ClientAddresses addresses) {
        this.authenticator = authenticator;
        this.failures = failures;
        this.addresses = addresses;
    }

    /** Where the request came from ({@link ClientAddresses}). */
    public String sourceOf(HttpServletRequest request) {
        return addresses.of(request);
    }

    /** Where a request from {@code peer} with these {@code X-Forwarded-For} headers came from. */
    public String sourceOf(String peer, List<String> forwardedFor) {
        return addresses.of(peer, forwardedFor);
    }

    public static boolean presented(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.AUTHORIZATION) != null;
    }

    /** The caller behind the request, or {@link AuthenticationFailedException} (401). */
    public Caller authenticate(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        String source = addresses.of(request);
        return callerOf(authenticator.authenticate(bearerOf(authorization, source)), source);
    }

    /**
     * The caller behind an {@code Authorization} header sent from {@code source}, without blocking the calling
     * thread ({@link RootKeyAuthenticator#authenticateWithoutBlocking}); a stage failed with
     * {@link AuthenticationFailedException} (401) when there is none.
     */
    public CompletionStage<Caller> authenticateWithoutBlocking(String authorization, String source, Executor blocking) {
        String presented;
        try {
            presented = bearerOf(authorization, source);
        } catch (AuthenticationFailedException refused) {
            return CompletableFuture.failedFuture(refused);
        }
        return authenticator.authenticateWithoutBlocking(presented, blocking)
                .thenApply(authority -> callerOf(authority, source));
    }

    private String bearerOf(String authorization, String source) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            failures.record(AccessFailures.UNAUTHENTICATED, source, null);
            throw new AuthenticationFailedException("an Authorization header with a Bearer root key is required");
        }
        return authorization.substring(BEARER.length()).trim();
    }

    private Caller callerOf(Optional<Authority> authority, String source) {
        return authority.map(key -> new Caller(key, source)).orElseThrow(() -> {
            failures.record(AccessFailures.UNAUTHENTICATED, source, null);
            return new AuthenticationFailedException("the Bearer credential is not a valid, active root key");
        });
    }
}

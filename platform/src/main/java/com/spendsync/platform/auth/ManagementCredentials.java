package com.spendsync.platform.auth;

import com.spendsync.platform.security.AccessFailures;
import jakarta.servlet.http.HttpServletRequest;
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

    public ManagementCredentials(RootKeyAuthenticator authenticator, AccessFailures failures) {
        this.authenticator = authenticator;
        this.failures = failures;
    }

    public static boolean presented(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.AUTHORIZATION) != null;
    }

    /** The caller behind the request, or {@link AuthenticationFailedException} (401). */
    public Caller authenticate(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            failures.record(AccessFailures.UNAUTHENTICATED, request.getRemoteAddr(), null);
            throw new AuthenticationFailedException("an Authorization header with a Bearer root key is required");
        }
        return authenticator.authenticate(authorization.substring(BEARER.length()).trim())
                .map(authority -> new Caller(authority, request.getRemoteAddr()))
                .orElseThrow(() -> {
                    failures.record(AccessFailures.UNAUTHENTICATED, request.getRemoteAddr(), null);
                    return new AuthenticationFailedException("the Bearer credential is not a valid, active root key");
                });
    }
}

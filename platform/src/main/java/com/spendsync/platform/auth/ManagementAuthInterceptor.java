package com.spendsync.platform.auth;

import com.spendsync.api.apikey.Permissions;
import com.spendsync.platform.security.AccessFailures;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Guards every SpendSync endpoint: a handler without {@link RequiresPermission} is refused, so an endpoint cannot be
 * left open by forgetting the annotation. Health, metrics and API docs are served by other handlers.
 */
@Component
public class ManagementAuthInterceptor implements HandlerInterceptor {

    static final String CALLER_ATTRIBUTE = Caller.class.getName();
    private static final String OWN_PACKAGE = "com.spendsync";
    private static final String BEARER = "Bearer ";

    private final RootKeyAuthenticator authenticator;
    private final AccessFailures failures;

    public ManagementAuthInterceptor(RootKeyAuthenticator authenticator, AccessFailures failures) {
        this.authenticator = authenticator;
        this.failures = failures;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getName().startsWith(OWN_PACKAGE)) {
            return true;
        }
        RequiresPermission required = method.getMethodAnnotation(RequiresPermission.class);
        if (required == null) {
            throw new PermissionDeniedException("this endpoint names no permission, so nobody may use it");
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            failures.record(AccessFailures.UNAUTHENTICATED, request.getRemoteAddr(), null);
            throw new AuthenticationFailedException("an Authorization header with a Bearer root key is required");
        }
        RootKeyAuthenticator.AuthenticatedKey key = authenticator
                .authenticate(authorization.substring(BEARER.length()).trim()).orElse(null);
        if (key == null) {
            failures.record(AccessFailures.UNAUTHENTICATED, request.getRemoteAddr(), null);
            throw new AuthenticationFailedException("the Bearer credential is not a valid, active root key");
        }
        if (!Permissions.grants(key.permissions(), required.value())) {
            failures.record(AccessFailures.FORBIDDEN, request.getRemoteAddr(), key.keyId());
            throw new PermissionDeniedException("this root key lacks the permission " + required.value());
        }
        request.setAttribute(CALLER_ATTRIBUTE, new Caller(key.keyId(), key.permissions(), request.getRemoteAddr()));
        return true;
    }
}

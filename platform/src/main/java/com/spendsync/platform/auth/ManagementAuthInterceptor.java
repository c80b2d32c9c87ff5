package com.spendsync.platform.auth;

import com.spendsync.api.authority.Authority;
import com.spendsync.api.authority.AuthorityException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Guards every SpendSync endpoint: a handler without {@link RequiresPermission} is refused, so an endpoint cannot be
 * left open by forgetting the annotation. The permission is checked by the caller's {@link Authority}, the same rule
 * that commands and reads apply to the key they act on; its refusals are recorded where they are answered, in
 * {@link com.spendsync.platform.problem.ApiProblemHandler}. Health, metrics and API docs are served by other handlers.
 */
@Component
public class ManagementAuthInterceptor implements HandlerInterceptor {

    static final String CALLER_ATTRIBUTE = Caller.class.getName();
    private static final String OWN_PACKAGE = "com.spendsync";

    private final ManagementCredentials credentials;
    // an annotation lookup walks the method's hierarchy and synthesises a proxy: once per handler, not per request
    private final Map<Method, Optional<RequiresPermission>> requiredPermissions = new ConcurrentHashMap<>();

    public ManagementAuthInterceptor(ManagementCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getName().startsWith(OWN_PACKAGE)) {
            return true;
        }
        Optional<RequiresPermission> required = requiredPermissions.computeIfAbsent(method.getMethod(),
                ignored -> Optional.ofNullable(method.getMethodAnnotation(RequiresPermission.class)));
        if (required.isEmpty()) {
            throw new AuthorityException(AuthorityException.Reason.MISSING_PERMISSION, null, null,
                    "this endpoint names no permission, so nobody may use it");
        }
        Caller caller = credentials.authenticate(request);
        request.setAttribute(CALLER_ATTRIBUTE, caller);
        RequiresPermission permission = required.get();
        if (permission.installationWide()) {
            caller.authority().requirePermission(permission.value(), true);
        } else {
            caller.authority().requirePermission(permission.value());
        }
        return true;
    }
}

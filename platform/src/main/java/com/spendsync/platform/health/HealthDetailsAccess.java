package com.spendsync.platform.health;

import com.spendsync.api.authority.AuthorityException;
import com.spendsync.platform.auth.AuthenticationFailedException;
import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.ManagementCredentials;
import com.spendsync.platform.problem.ProblemResponses;
import com.spendsync.platform.problem.ProblemWriter;
import com.spendsync.platform.security.AccessFailures;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Health shows only its status to anyone; its components and details ({@code show-details=when-authorized}) to a
 * root key holding {@code admin:read}, which this filter turns into the request's principal and role. A credential
 * that is presented must be valid (401) and hold the permission (403), like anywhere else on the management plane.
 * Registered in the management context of any kind, so it guards health on its own management port too.
 */
@ManagementContextConfiguration(ManagementContextType.ANY)
public class HealthDetailsAccess {

    public static final String PERMISSION = "admin:read";

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> healthDetailsFilter(ObjectProvider<ManagementCredentials> credentials,
                                                                     ObjectProvider<AccessFailures> failures,
                                                                     ObjectProvider<ProblemWriter> problems) {
        FilterRegistrationBean<OncePerRequestFilter> registration =
                new FilterRegistrationBean<>(new Filter(credentials, failures, problems));
        registration.addUrlPatterns("/actuator/health", "/actuator/health/*");
        return registration;
    }

    /**
     * Its collaborators are looked up at the first request, not when the servlet container starts the filter:
     * created that early they would be built on the container's thread, before the rest of the application.
     */
    private static final class Filter extends OncePerRequestFilter {
        private final ObjectProvider<ManagementCredentials> credentials;
        private final ObjectProvider<AccessFailures> failures;
        private final ObjectProvider<ProblemWriter> problems;

        Filter(ObjectProvider<ManagementCredentials> credentials, ObjectProvider<AccessFailures> failures,
               ObjectProvider<ProblemWriter> problems) {
            this.credentials = credentials;
            this.failures = failures;
            this.problems = problems;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            if (!ManagementCredentials.presented(request)) {
                chain.doFilter(request, response);
                return;
            }
            Caller caller;
            try {
                caller = credentials.getObject().authenticate(request);
                caller.authority().requirePermission(PERMISSION);
            } catch (AuthenticationFailedException refused) {
                problems.getObject().write(request, response,
                        ProblemResponses.unauthenticated(refused, request.getRequestURI()));
                return;
            } catch (AuthorityException refused) {
                failures.getObject().record(refused, credentials.getObject().sourceOf(request));
                problems.getObject().write(request, response,
                        ProblemResponses.forbidden(refused, request.getRequestURI()));
                return;
            } catch (RuntimeException failed) {
                if (!ProblemResponses.storeUnavailable(failed)) {
                    throw failed;
                }
                // the credential could not be checked: the store's outage, answered as everywhere else
                problems.getObject().write(request, response, ProblemResponses.of(failed, request.getRequestURI()));
                return;
            }
            chain.doFilter(new AuthorizedRequest(request, caller.keyId()), response);
        }
    }

    /** The request as Boot's health endpoint asks it: a principal, holding the role {@code admin:read}. */
    private static final class AuthorizedRequest extends HttpServletRequestWrapper {
        private final Principal principal;

        AuthorizedRequest(HttpServletRequest request, String keyId) {
            super(request);
            this.principal = () -> keyId;
        }

        @Override
        public Principal getUserPrincipal() {
            return principal;
        }

        @Override
        public boolean isUserInRole(String role) {
            return PERMISSION.equals(role);
        }
    }
}

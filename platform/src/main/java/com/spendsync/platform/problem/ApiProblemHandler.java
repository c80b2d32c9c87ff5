package com.spendsync.platform.problem;

import com.spendsync.platform.auth.AuthenticationFailedException;
import com.spendsync.platform.auth.ClientAddresses;
import com.spendsync.api.authority.AuthorityException;
import com.spendsync.platform.config.SpendSyncProperties;
import com.spendsync.platform.logging.LogSafe;
import com.spendsync.platform.security.AccessFailures;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/** Every error leaves as an RFC 9457 problem; nothing internal (stack, credential, hash) is in its text. */
@RestControllerAdvice
public class ApiProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemHandler.class);

    private final int maxRequestBodyBytes;
    private final AccessFailures failures;
    private final ClientAddresses addresses;

    public ApiProblemHandler(SpendSyncProperties properties, AccessFailures failures, ClientAddresses addresses) {
        this.maxRequestBodyBytes = properties.maxRequestBodyBytes();
        this.failures = failures;
        this.addresses = addresses;
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        String instance = ((ServletWebRequest) request).getRequest().getRequestURI();
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof RequestBodyLimitFilter.PayloadTooLargeException) {
                return problem(ProblemResponses.payloadTooLarge(maxRequestBodyBytes, instance));
            }
        }
        return problem(ProblemResponses.unreadable(ex.getCause(), instance));
    }

    /** Problems Spring builds itself (405, 415, ...) get a SpendSync type instead of {@code about:blank}. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        // for an exception that carries its own problem, Spring passes no body and reads the exception's later
        Object problemBody = body == null && ex instanceof ErrorResponse carried ? carried.getBody() : body;
        if (problemBody instanceof ProblemDetail problem && "about:blank".equals(String.valueOf(problem.getType()))) {
            problem.setType(ProblemResponses.typeOf(statusCode));
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalid(InvalidRequestException ex, HttpServletRequest request) {
        return problem(ProblemResponses.of(ex, request.getRequestURI()));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> parameterType(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
        return problem(ProblemResponses.invalid(
                List.of(new FieldProblem(ex.getName(), "has a value of the wrong type")), request.getRequestURI()));
    }

    @ExceptionHandler({ResourceNotFoundException.class, AggregateNotFoundException.class})
    ResponseEntity<Object> notFound(Exception ex, HttpServletRequest request) {
        // Axon's own message names its aggregate type; the contract's resource is a key
        String detail = ex instanceof ResourceNotFoundException ? ex.getMessage() : "no key has this id";
        return problem(ProblemResponses.notFound(detail, request.getRequestURI()));
    }

    @ExceptionHandler(StateConflictException.class)
    ResponseEntity<Object> conflict(StateConflictException ex, HttpServletRequest request) {
        return problem(ProblemResponses.of(ex, request.getRequestURI()));
    }

    @ExceptionHandler({ConcurrencyException.class, AggregateStreamCreationException.class})
    ResponseEntity<Object> concurrentModification(Exception ex, HttpServletRequest request) {
        return problem(ProblemResponses.of(HttpStatus.CONFLICT, "concurrent-modification", "Concurrent modification",
                "another request changed this key at the same moment; read it again and retry",
                request.getRequestURI()));
    }

    @ExceptionHandler(AuthenticationFailedException.class)
    ResponseEntity<Object> unauthenticated(AuthenticationFailedException ex, HttpServletRequest request) {
        return problem(ProblemResponses.of(ex, request.getRequestURI()));
    }

    /**
     * Every refusal of the authority rule is counted for the audit trail: an attempt on a stronger key as a privilege
     * escalation naming both keys, the others as 403s of the caller. A key outside the caller's scope answers exactly
     * as a key that does not exist.
     */
    @ExceptionHandler(AuthorityException.class)
    ResponseEntity<Object> forbidden(AuthorityException ex, HttpServletRequest request) {
        failures.record(ex, addresses.of(request));
        return problem(ProblemResponses.of(ex, request.getRequestURI()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, HttpServletRequest request) {
        if (ProblemResponses.storeUnavailable(ex)) {
            // Spring's translations, and Axon's event store's own exceptions around the driver's
            log.warn("A data store is unreachable on {} {}: {}", request.getMethod(),
                    LogSafe.escape(request.getRequestURI()), ex.toString());
        } else {
            log.error("Unexpected failure on {} {}", request.getMethod(), LogSafe.escape(request.getRequestURI()),
                    ex);
        }
        return problem(ProblemResponses.of(ex, request.getRequestURI()));
    }

    private static ResponseEntity<Object> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).headers(ProblemResponses.headersOf(problem))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}

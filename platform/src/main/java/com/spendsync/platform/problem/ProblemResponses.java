package com.spendsync.platform.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.spendsync.api.authority.AuthorityException;
import com.spendsync.platform.auth.AuthenticationFailedException;
import com.spendsync.platform.redis.RedisOutage;
import java.net.URI;
import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** The RFC 9457 problems SpendSync answers with; each kind has its own stable {@code type}. */
public final class ProblemResponses {

    private static final String TYPE_BASE = "urn:spendsync:problem:";
    /** What a 503 asks callers to wait: a store that is back is found within the services' own retry pauses. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private ProblemResponses() {
    }

    public static ProblemDetail of(HttpStatus status, String kind, String title, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + kind));
        problem.setTitle(title);
        if (instance != null) {
            problem.setInstance(URI.create(instance));
        }
        return problem;
    }

    /**
     * The problem a request's failure is answered with, wherever it is answered (the MVC exception handlers, the
     * non-blocking verify server): the one mapping from what failed to what the caller is told.
     */
    public static ProblemDetail of(Throwable failure, String instance) {
        if (failure instanceof InvalidRequestException invalid) {
            return invalid(invalid.errors(), instance);
        }
        if (failure instanceof AuthenticationFailedException refusal) {
            return unauthenticated(refusal, instance);
        }
        if (failure instanceof AuthorityException refusal) {
            // a key outside the caller's scope answers exactly as a key that does not exist
            return refusal.reason() == AuthorityException.Reason.OUTSIDE_SCOPE ? notFound("no key has this id", instance)
                    : forbidden(refusal, instance);
        }
        if (failure instanceof ResourceNotFoundException notFound) {
            return notFound(notFound.getMessage(), instance);
        }
        if (failure instanceof StateConflictException conflict) {
            return of(HttpStatus.CONFLICT, conflict.kind(), conflict.title(), conflict.getMessage(), instance);
        }
        if (storeUnavailable(failure)) {
            return of(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable", "Store unavailable",
                    "a data store is unreachable; retry shortly", instance);
        }
        return of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "the request failed unexpectedly; it has been logged", instance);
    }

    /**
     * Whether the failure, or one of its causes, is a data store that could not be reached or did not answer in time:
     * Spring's translations, and the MongoDB driver's own for the stores used without Spring (Axon's event store).
     */
    public static boolean storeUnavailable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException || cause instanceof QueryTimeoutException
                    || cause instanceof MongoTimeoutException || cause instanceof MongoSocketException
                    || RedisOutage.is(cause)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The headers a problem goes out with, wherever it is written (the MVC handlers, servlet filters, the
     * non-blocking verify server): the challenge of a 401, the pause before retrying of a 503.
     */
    public static HttpHeaders headersOf(ProblemDetail problem) {
        HttpHeaders headers = new HttpHeaders();
        if (problem.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            headers.set(HttpHeaders.WWW_AUTHENTICATE, BEARER_CHALLENGE);
        } else if (problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(RETRY_AFTER.toSeconds()));
        }
        return headers;
    }

    /** The type of a problem named by its HTTP status alone (those Spring builds itself: 405, 415, ...). */
    public static URI typeOf(HttpStatusCode statusCode) {
        HttpStatus status = HttpStatus.resolve(statusCode.value());
        return URI.create(TYPE_BASE + (status == null ? "http-" + statusCode.value()
                : status.name().toLowerCase(Locale.ROOT).replace('_', '-')));
    }

    public static ProblemDetail notFound(String detail, String instance) {
        return of(HttpStatus.NOT_FOUND, "not-found", "Not found", detail, instance);
    }

    /** The {@code WWW-Authenticate} challenge that goes with {@link #unauthenticated}. */
    public static final String BEARER_CHALLENGE = "Bearer realm=\"spendsync\"";

    public static ProblemDetail unauthenticated(AuthenticationFailedException refusal, String instance) {
        return of(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required", refusal.getMessage(),
                instance);
    }

    /** A refusal of the authority rule; its message names the reason. */
    public static ProblemDetail forbidden(AuthorityException refusal, String instance) {
        return of(HttpStatus.FORBIDDEN, "forbidden", "Permission denied", refusal.getMessage(), instance);
    }

    public static ProblemDetail invalid(List<FieldProblem> errors, String instance) {
        ProblemDetail problem = of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
                errors.size() == 1 ? describe(errors.get(0)) : errors.size() + " fields are invalid", instance);
        problem.setProperty("errors", errors);
        return problem;
    }

    public static ProblemDetail payloadTooLarge(int maxBytes, String instance) {
        ProblemDetail problem = of(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large", "Request body too large",
                "the request body is larger than " + maxBytes + " bytes", instance);
        problem.setProperty("errors", List.of(new FieldProblem(null, "at most " + maxBytes + " bytes")));
        return problem;
    }

    /** Explains why a body could not be read: malformed JSON, an unknown field, or a value of the wrong type. */
    public static ProblemDetail unreadable(Throwable cause, String instance) {
        for (Throwable inner = cause; inner != null; inner = inner.getCause()) {
            if (inner instanceof JsonParseException parse && parse.getOriginalMessage().startsWith("Duplicate field")
                    && parse.getProcessor() != null) {
                return invalid(List.of(new FieldProblem(path(parse.getProcessor().getParsingContext()),
                        "is given more than once")), instance);
            }
        }
        if (cause instanceof JsonParseException parse) {
            return invalid(List.of(new FieldProblem(null, "malformed JSON at line "
                    + parse.getLocation().getLineNr() + ", column " + parse.getLocation().getColumnNr())), instance);
        }
        if (cause instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return invalid(List.of(new FieldProblem(path(mapping), mappingMessage(mapping))), instance);
        }
        if (cause instanceof MismatchedInputException mismatched
                && mismatched.getOriginalMessage().startsWith("Trailing token")) {
            return invalid(List.of(new FieldProblem(null, "nothing may follow the JSON object")), instance);
        }
        if (cause instanceof MismatchedInputException) {
            return invalid(List.of(new FieldProblem(null, "the body must be a JSON object")), instance);
        }
        return invalid(List.of(new FieldProblem(null, "a JSON body is required")), instance);
    }

    /** The problem of one field whose value could not be read; {@code field} prefixes the path inside it. */
    public static FieldProblem fieldProblem(JsonMappingException mapping, String field) {
        String inner = path(mapping);
        String fullPath = inner.isEmpty() ? field : inner.startsWith("[") ? field + inner : field + "." + inner;
        return new FieldProblem(fullPath, mappingMessage(mapping));
    }

    private static String describe(FieldProblem error) {
        return error.field() == null ? error.message() : error.field() + ": " + error.message();
    }

    private static String path(JsonMappingException mapping) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : mapping.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** The dotted path of where a parser stands, such as {@code metadata.tags[2]}. */
    private static String path(JsonStreamContext context) {
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext level = context; level != null && !level.inRoot(); level = level.getParent()) {
            String step = level.inArray() ? "[" + level.getCurrentIndex() + "]"
                    : (level.getParent() != null && !level.getParent().inRoot() ? "." : "") + level.getCurrentName();
            path.insert(0, step);
        }
        return path.toString();
    }

    private static String mappingMessage(JsonMappingException mapping) {
        if (mapping instanceof UnrecognizedPropertyException) {
            return "unknown field";
        }
        if (mapping.getCause() instanceof InputCoercionException) {
            return "is out of range";
        }
        if (mapping instanceof ValueInstantiationException && mapping.getCause() != null) {
            return mapping.getCause().getMessage();
        }
        if (mapping instanceof InvalidFormatException format && format.getTargetType() != null
                && Temporal.class.isAssignableFrom(format.getTargetType())) {
            return QueryParameters.INSTANT_EXPECTED;
        }
        if (mapping instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return "must be " + jsonTypeOf(mismatched.getTargetType());
        }
        return "has a value of the wrong type";
    }

    private static String jsonTypeOf(Class<?> type) {
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return QueryParameters.AN_INSTANT;
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "an object";
        }
        return "a value of another type";
    }
}

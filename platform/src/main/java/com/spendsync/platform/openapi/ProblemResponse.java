package com.spendsync.platform.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The RFC 9457 problem responses of the document, as {@code ApiProblemHandler} and the body limit answer them: one
 * shared response per status, all of the one {@code Problem} schema.
 */
enum ProblemResponse {
    BAD_REQUEST(400, "BadRequest", "The request breaks the contract: `errors` names every field at fault"),
    UNAUTHORIZED(401, "Unauthorized", "No Bearer root key, or not a valid, active one"),
    FORBIDDEN(403, "Forbidden", "The root key lacks the permission named in the operation's security requirement,"
            + " or would grant a management permission it does not hold"),
    NOT_FOUND(404, "NotFound", "Nothing has the name or id in the path"),
    CONFLICT(409, "Conflict",
            "The request conflicts with the resource's state, or with another change at the same moment"),
    PAYLOAD_TOO_LARGE(413, "PayloadTooLarge",
            "The request body is larger than spendsync.max-request-body-bytes (64 KiB)"),
    INTERNAL_ERROR(500, "InternalError", "The request failed unexpectedly; the service has logged it"),
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "A data store is unreachable; retry shortly");

    private static final String SCHEMA = "Problem";
    private static final String MEDIA_TYPE = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    /** Every operation checks a root key, and may fail inside. */
    private static final Set<ProblemResponse> ALWAYS =
            EnumSet.of(UNAUTHORIZED, FORBIDDEN, INTERNAL_ERROR, SERVICE_UNAVAILABLE);

    private final int status;
    private final String component;
    private final String description;

    ProblemResponse(int status, String component, String description) {
        this.status = status;
        this.component = component;
        this.description = description;
    }

    static void addComponents(Components components) {
        components.addSchemas(SCHEMA, new ObjectSchema()
                .description("An RFC 9457 problem detail")
                .addProperty("type", new StringSchema().format("uri-reference")
                        .description("The kind of problem, stable: urn:spendsync:problem:<kind>"))
                .addProperty("title", new StringSchema().description("A short summary of the kind"))
                .addProperty("status", new IntegerSchema().description("The HTTP status"))
                .addProperty("detail", new StringSchema().description("What is wrong with this request"))
                .addProperty("instance", new StringSchema().format("uri-reference")
                        .description("The path of the request"))
                .addProperty("errors", new ArraySchema().description("Every field at fault (400 and 413 only)")
                        .items(new ObjectSchema()
                                .addProperty("field", new Schema<>().types(Set.of("string", "null"))
                                        .description("The field's JSON path, such as rateLimit.limit or "
                                                + "permissions[2]; null for the body as a whole"))
                                .addProperty("message", new StringSchema())
                                .required(List.of("field", "message"))))
                .required(List.of("type", "title", "status")));
        Content problem = new Content().addMediaType(MEDIA_TYPE, new MediaType().schema(new Schema<>().$ref(SCHEMA)));
        for (ProblemResponse kind : values()) {
            ApiResponse response = new ApiResponse().description(kind.description).content(problem);
            if (kind == UNAUTHORIZED) {
                response.addHeaderObject("WWW-Authenticate", new Header().schema(new StringSchema())
                        .description("The challenge: Bearer realm=\"spendsync\""));
            }
            if (kind == SERVICE_UNAVAILABLE) {
                response.addHeaderObject("Retry-After", new Header().schema(new IntegerSchema())
                        .description("Seconds to wait before retrying"));
            }
            components.addResponses(kind.component, response);
        }
    }

    /**
     * Adds to the operation's responses the problems its inputs imply (a body or a query can be invalid, a body too
     * large, a name or id in the path unknown) and {@code more}.
     */
    static void addTo(Operation operation, Set<ProblemResponse> more) {
        Set<ProblemResponse> problems = EnumSet.copyOf(ALWAYS);
        problems.addAll(more);
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        if (operation.getRequestBody() != null) {
            problems.add(BAD_REQUEST);
            problems.add(PAYLOAD_TOO_LARGE);
        }
        if (parameters.stream().anyMatch(parameter -> "query".equals(parameter.getIn()))) {
            problems.add(BAD_REQUEST);
        }
        if (parameters.stream().anyMatch(parameter -> "path".equals(parameter.getIn()))) {
            problems.add(NOT_FOUND);
        }
        for (ProblemResponse problem : problems) {
            operation.getResponses().addApiResponse(Integer.toString(problem.status),
                    new ApiResponse().$ref("#/components/responses/" + problem.component));
        }
    }
}

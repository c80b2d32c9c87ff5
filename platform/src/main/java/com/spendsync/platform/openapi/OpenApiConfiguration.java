package com.spendsync.platform.openapi;

import com.spendsync.platform.auth.Caller;
import com.spendsync.platform.auth.RequiresPermission;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at /v3/api-docs: every operation takes a root key as a Bearer token, names the permission it
 * needs, and documents its problem responses. OpenApiLintTest holds it to Redocly's recommended rules.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    private static final String ROOT_KEY = "rootKey";

    static {
        // resolved from the request's root key, not sent by the client
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    OpenAPI spendSyncOpenApi() {
        Components components = new Components().addSecuritySchemes(ROOT_KEY, new SecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer")
                .description("A root key: an API key holding the management permission the operation needs"));
        ProblemResponse.addComponents(components);
        return new OpenAPI()
                .info(new Info().title("SpendSync API").version("v1")
                        .description("API key management and audit logging. Errors are RFC 9457 problem details.")
                        .license(new License().name("Proprietary").identifier("LicenseRef-Proprietary")))
                .components(components)
                .addSecurityItem(new SecurityRequirement().addList(ROOT_KEY));
    }

    /** The permission of {@link RequiresPermission}, as the role the operation's security requirement names. */
    @Bean
    OperationCustomizer requiredPermission() {
        return (operation, handler) -> {
            RequiresPermission required = handler.getMethodAnnotation(RequiresPermission.class);
            if (required != null) {
                operation.addSecurityItem(new SecurityRequirement().addList(ROOT_KEY, required.value()));
            }
            return operation;
        };
    }

    @Bean
    OpenApiCustomizer operationCatalog() {
        return OperationCatalog::describe;
    }
}

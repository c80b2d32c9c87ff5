package com.spendsync.platform.openapi;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at /v3/api-docs: every operation takes a root key as a Bearer token. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    private static final String ROOT_KEY = "rootKey";

    @Bean
    OpenAPI spendSyncOpenApi() {
        return new OpenAPI()
                .info(new Info().title("SpendSync API").version("v1")
                        .description("API key management and audit logging. Errors are RFC 9457 problem details."))
                .components(new Components().addSecuritySchemes(ROOT_KEY, new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("A root key: an API key holding the management permission the operation needs")))
                .addSecurityItem(new SecurityRequirement().addList(ROOT_KEY));
    }
}

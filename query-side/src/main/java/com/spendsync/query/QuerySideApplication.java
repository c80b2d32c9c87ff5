package com.spendsync.query;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The query side alone (distributed mode, port 8082): projections and the verify hot path. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.query", "com.spendsync.platform"})
public class QuerySideApplication {

    /** The HTTP port unless SERVER_PORT says otherwise (deploy/k8s and docker-compose use it). */
    public static final int DEFAULT_PORT = 8082;

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(QuerySideApplication.class);
        application.setDefaultProperties(Map.of("server.port", Integer.toString(DEFAULT_PORT),
                "spring.application.name", "query-side"));
        application.run(args);
    }
}

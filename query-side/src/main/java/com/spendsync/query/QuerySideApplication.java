package com.spendsync.query;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The query side alone (distributed mode, port 8082): projections and the verify hot path. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.query", "com.spendsync.platform"})
public class QuerySideApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(QuerySideApplication.class);
        application.setDefaultProperties(Map.of("server.port", "8082", "spring.application.name", "query-side"));
        application.run(args);
    }
}

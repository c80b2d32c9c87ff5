package com.spendsync.alerting;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The alerting projector alone (distributed mode, port 8083): the alert rules and GET /v1/alerts. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.alerting", "com.spendsync.platform"})
public class AlertingProjectorApplication {

    /** The HTTP port unless SERVER_PORT says otherwise (deploy/k8s and docker-compose use it). */
    public static final int DEFAULT_PORT = 8083;

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(AlertingProjectorApplication.class);
        application.setDefaultProperties(
                Map.of("server.port", Integer.toString(DEFAULT_PORT),
                "spring.application.name", "alerting-projector"));
        application.run(args);
    }
}

package com.spendsync.alerting;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The alerting projector alone (distributed mode, port 8083): the alert rules and GET /v1/alerts. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.alerting", "com.spendsync.platform"})
public class AlertingProjectorApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(AlertingProjectorApplication.class);
        application.setDefaultProperties(
                Map.of("server.port", "8083", "spring.application.name", "alerting-projector"));
        application.run(args);
    }
}

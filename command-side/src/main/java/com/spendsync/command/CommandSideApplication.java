package com.spendsync.command;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The command side alone (distributed mode, port 8081): key lifecycle commands against external MongoDB and Redis. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.command", "com.spendsync.platform"})
public class CommandSideApplication {

    /** The HTTP port unless SERVER_PORT says otherwise (deploy/k8s and docker-compose use it). */
    public static final int DEFAULT_PORT = 8081;

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(CommandSideApplication.class);
        application.setDefaultProperties(Map.of("server.port", Integer.toString(DEFAULT_PORT),
                "spring.application.name", "command-side"));
        application.run(args);
    }
}

package com.spendsync.command;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The command side alone (distributed mode, port 8081): key lifecycle commands against external MongoDB and Redis. */
@SpringBootApplication(scanBasePackages = {"com.spendsync.command", "com.spendsync.platform"})
public class CommandSideApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(CommandSideApplication.class);
        application.setDefaultProperties(Map.of("server.port", "8081", "spring.application.name", "command-side"));
        application.run(args);
    }
}

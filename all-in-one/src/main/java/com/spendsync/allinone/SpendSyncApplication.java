package com.spendsync.allinone;

import com.spendsync.embedded.InfraMode;
import com.spendsync.platform.integrity.OfflineVerifier;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * All-in-one mode: the command side, the query side and the alerting projector in one process. With no
 * {@code MONGODB_URI} or {@code REDIS_URL} it runs on the embedded servers (see {@code EmbeddedServersInitializer}).
 * The services' own application classes are left out of the scan: each would start a scan of its own.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(basePackages = "com.spendsync", excludeFilters = {
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
        @ComponentScan.Filter(type = FilterType.ANNOTATION, classes = SpringBootApplication.class)})
public class SpendSyncApplication {

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals(OfflineVerifier.COMMAND)) {
            System.exit(OfflineVerifier.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        if (InfraMode.requested(System.getenv())) {
            InfraMode.run(System.getenv(), System.out);
            return;
        }
        application().run(args);
    }

    public static SpringApplication application() {
        SpringApplication application = new SpringApplication(SpendSyncApplication.class);
        application.setDefaultProperties(Map.of("server.port", "8080", "spring.application.name", "spendsync"));
        return application;
    }
}

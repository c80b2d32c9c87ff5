package com.spendsync.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.axonframework.config.EventProcessingConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

class ExpiryCheckerTest {

    @Test
    void theCheckRunsEveryCheckInterval() {
        ScheduledTaskRegistrar registrar = new ScheduledTaskRegistrar();

        checker(Map.of("spendsync.alerts.expiring-soon.check-interval", "PT30S")).configureTasks(registrar);

        assertThat(registrar.getFixedDelayTaskList()).extracting(task -> task.getIntervalDuration())
                .containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void withTheRuleOffNothingIsChecked() {
        ScheduledTaskRegistrar registrar = new ScheduledTaskRegistrar();

        checker(Map.of("spendsync.alerts.expiring-soon.enabled", "false")).configureTasks(registrar);

        assertThat(registrar.getFixedDelayTaskList()).isEmpty();
    }

    private static ExpiryChecker checker(Map<String, String> properties) {
        AlertSettings settings = new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("spendsync.alerts", AlertSettings.class);
        // scheduling reads only the settings: no store, gateway or processor is reached
        return new ExpiryChecker(settings, null, null, new AlertingReadiness(mock(EventProcessingConfiguration.class)),
                Clock.systemUTC());
    }
}

package com.spendsync.platform.axon;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Axon's update checker calls out to the internet at start-up. Axon 4.12 does not read the Spring property
 * {@code axon.update-check.disabled} reliably, but it does honour the system property, so the opt-out (on unless
 * the property says otherwise) is copied there before the context starts.
 */
public class AxonUpdateCheckOptOut implements EnvironmentPostProcessor {

    static final String AXON_SYSTEM_PROPERTY = "axoniq.update-checker.disabled";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean disabled = environment.getProperty("axon.update-check.disabled", Boolean.class, true);
        System.setProperty(AXON_SYSTEM_PROPERTY, Boolean.toString(disabled));
    }
}

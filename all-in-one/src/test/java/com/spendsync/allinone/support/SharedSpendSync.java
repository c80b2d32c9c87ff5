package com.spendsync.allinone.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands test classes one all-in-one instance, started once for the whole test run and stopped at its end: starting
 * Spring, Axon and both embedded servers per class would triple the run. Tests keep to their own keys.
 */
public class SharedSpendSync implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SpendSyncInstance.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedSpendSync.class, key -> new Running(SpendSyncInstance.builder()
                        .property("SPENDSYNC_ROOT_KEY_CACHE_TTL", "1s")
                        .start()), Running.class)
                .instance();
    }

    private record Running(SpendSyncInstance instance) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            instance.close();
        }
    }
}

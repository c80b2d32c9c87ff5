package com.spendsync.allinone.support;

import com.spendsync.allinone.SpendSyncApplication;
import com.spendsync.api.keyformat.ApiKeySecret;
import com.spendsync.api.keyformat.KeyEnvironment;
import com.spendsync.platform.verification.ValidationViewKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The all-in-one application started for real, as {@code java -jar} would start it: its own HTTP port, and the
 * embedded MongoDB-wire and Redis servers on free loopback ports unless {@code MONGODB_URI}/{@code REDIS_URL} are given.
 */
public final class SpendSyncInstance implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final Path dataDirectory;
    private final ApiKeySecret rootKey;
    private final Api api;

    private SpendSyncInstance(ConfigurableApplicationContext context, Path dataDirectory, ApiKeySecret rootKey) {
        this.context = context;
        this.dataDirectory = dataDirectory;
        this.rootKey = rootKey;
        int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
        this.api = new Api("http://127.0.0.1:" + port, rootKey == null ? null : rootKey.reveal());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bootstrap key works once the validation view has it, a few milliseconds after the start. Looked for in
     * Redis, not by calling the API with it: each call before then would be a 401, counted as a refused credential.
     */
    private void awaitRootKeyProjected() {
        StringRedisTemplate redis = bean(StringRedisTemplate.class);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> redis.hasKey(ValidationViewKeys.entry(rootKey.hash())));
    }

    public Api api() {
        return api;
    }

    public ApiKeySecret rootKey() {
        return rootKey;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String mongoUri() {
        return context.getEnvironment().getProperty("MONGODB_URI");
    }

    public String redisUri() {
        return context.getEnvironment().getProperty("REDIS_URL");
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Path dataDirectory;
        private ApiKeySecret rootKey;
        private boolean bootstrapKeyGiven = true;

        private Builder() {
            properties.put("server.port", "0");
            properties.put("SPENDSYNC_EMBEDDED_MONGO_PORT", "0");
            properties.put("SPENDSYNC_EMBEDDED_REDIS_PORT", "0");
            properties.put("spendsync.deadlines.sweep-interval", "PT0.2S");
            properties.put("spring.main.banner-mode", "off");
        }

        public Builder property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /**
         * Alerts by email, from alerts@spendsync.test to oncall@bank.test through the SMTP server on {@code smtpPort}
         * of this host, and to the Slack webhook {@code slackWebhook}.
         */
        public Builder alertsTo(int smtpPort, String slackWebhook) {
            return property("spring.mail.host", "127.0.0.1")
                    .property("spring.mail.port", Integer.toString(smtpPort))
                    .property("spendsync.alerts.delivery.email.from", "alerts@spendsync.test")
                    .property("spendsync.alerts.delivery.email.to", "oncall@bank.test")
                    .property("spendsync.alerts.delivery.slack.webhook", slackWebhook);
        }

        /** Reuse a data directory (and so the stored keys and events) of an earlier instance. */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = directory;
            return this;
        }

        public Builder rootKey(ApiKeySecret key) {
            this.rootKey = key;
            return this;
        }

        /** Start as an operator would with no SPENDSYNC_BOOTSTRAP_KEY: a generated root key is printed once. */
        public Builder withoutBootstrapKey() {
            this.bootstrapKeyGiven = false;
            return this;
        }

        public SpendSyncInstance start() {
            try {
                Path directory = dataDirectory != null ? dataDirectory : Files.createTempDirectory("spendsync-test");
                ApiKeySecret key = !bootstrapKeyGiven ? null : rootKey != null ? rootKey
                        : ApiKeySecret.generate(KeyEnvironment.LIVE, new SecureRandom());
                List<String> arguments = new ArrayList<>();
                properties.forEach((name, value) -> arguments.add("--" + name + "=" + value));
                arguments.add("--SPENDSYNC_DATA_DIR=" + directory);
                if (key != null) {
                    arguments.add("--SPENDSYNC_BOOTSTRAP_KEY=" + key.reveal());
                }
                ConfigurableApplicationContext context =
                        SpendSyncApplication.application().run(arguments.toArray(String[]::new));
                SpendSyncInstance instance = new SpendSyncInstance(context, directory, key);
                if (key != null) {
                    instance.awaitRootKeyProjected();
                }
                return instance;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

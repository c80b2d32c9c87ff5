package com.spendsync.query.keyview;

import static org.assertj.core.api.Assertions.assertThat;

import com.spendsync.api.apikey.RateLimitPolicy;
import com.spendsync.api.apikey.RateLimitSharing;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.convert.MappingMongoConverter;
import org.springframework.data.mongodb.core.convert.MongoCustomConversions;
import org.springframework.data.mongodb.core.convert.NoOpDbRefResolver;
import org.springframework.data.mongodb.core.mapping.MongoMappingContext;

/** A key view stored before limits had names holds one {@code rateLimit}: read as that one limit, never written. */
class KeyViewStoredBeforeNamedLimitsTest {

    private final MappingMongoConverter converter = converter();

    @Test
    void aViewStoredWithOneLimitReadsAsThatLimitAndIsWrittenInTheNewForm() {
        Document stored = new Document("_id", "key_1").append("ownerId", "acme").append("status", "ACTIVE")
                .append("permissions", List.of()).append("version", 3L)
                .append("rateLimit", new Document("limit", 100).append("windowSeconds", 60));

        KeyView view = converter.read(KeyView.class, stored);

        assertThat(view.rateLimits()).containsExactly(new RateLimitPolicy(100, 60));
        assertThat(view.rateLimit()).isEqualTo(new RateLimitPolicy(100, 60));
        Document written = new Document();
        converter.write(view, written);
        assertThat(written).doesNotContainKey("rateLimit");
        assertThat(converter.read(KeyView.class, written)).isEqualTo(view);
    }

    @Test
    void aViewWithNamedLimitsKeepsThemAndOneWithoutAnyHasNone() {
        Document stored = new Document("_id", "key_1").append("status", "ACTIVE").append("version", 4L).append("rateLimits", List.of(
                new Document("name", "default").append("limit", 100).append("windowSeconds", 1).append("shared", "KEY"),
                new Document("name", "tokens").append("limit", 1_000_000).append("windowSeconds", 86_400)
                        .append("shared", "OWNER")));

        KeyView named = converter.read(KeyView.class, stored);
        Document written = new Document();
        converter.write(named, written);
        KeyView none = converter.read(KeyView.class, new Document("_id", "key_2").append("status", "ACTIVE").append("version", 1L));

        assertThat(named.rateLimits()).containsExactly(new RateLimitPolicy(100, 1),
                new RateLimitPolicy("tokens", 1_000_000, 86_400, RateLimitSharing.OWNER));
        assertThat(converter.read(KeyView.class, written)).isEqualTo(named);
        assertThat(none.rateLimits()).isEmpty();
        assertThat(none.rateLimit()).isNull();
    }

    /** As Spring Boot sets it up: the default conversions (java.time among them). */
    private static MappingMongoConverter converter() {
        MongoCustomConversions conversions = new MongoCustomConversions(List.of());
        MongoMappingContext context = new MongoMappingContext();
        context.setSimpleTypeHolder(conversions.getSimpleTypeHolder());
        context.afterPropertiesSet();
        MappingMongoConverter converter = new MappingMongoConverter(NoOpDbRefResolver.INSTANCE, context);
        converter.setCustomConversions(conversions);
        converter.afterPropertiesSet();
        return converter;
    }
}

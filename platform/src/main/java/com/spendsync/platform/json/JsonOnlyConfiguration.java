package com.spendsync.platform.json;

import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The API reads and writes JSON only. Spring adds a Jackson converter for every data format on the class path
 * (springdoc brings YAML): each read a body in its format with an object mapper of its own, without the strict
 * settings of {@link StrictJsonConfiguration}, and each was asked on every request whether it could write the
 * answer. Of those, only the JSON one stays.
 */
@Configuration(proxyBeanMethods = false)
class JsonOnlyConfiguration implements WebMvcConfigurer {

    @Override
    public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
        converters.removeIf(converter -> converter instanceof AbstractJackson2HttpMessageConverter
                && !(converter instanceof MappingJackson2HttpMessageConverter));
    }
}

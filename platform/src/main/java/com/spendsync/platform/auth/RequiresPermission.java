package com.spendsync.platform.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The management permission a caller's root key must grant to reach this endpoint. */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresPermission {
    String value();

    /** The endpoint reads or acts on every owner's data: it also needs an unscoped live root key. */
    boolean installationWide() default false;
}

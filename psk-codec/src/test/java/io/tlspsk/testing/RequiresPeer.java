package io.tlspsk.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test (or every test of the class) talks to these independent programs. When one is missing each such test is
 * reported as skipped, by name and with the reason, or as failed when the system property
 * {@value RequiresPeerCondition#REQUIRED_PROPERTY} is {@code true} (as {@code .ci/run} sets it). See
 * {@link RequiresPeerCondition}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(RequiresPeerCondition.class)
public @interface RequiresPeer {

    InteropPeer[] value();
}

package jgrad.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test (class or method) that needs a usable CUDA device: tagged {@code gpu}, and skipped
 * with CudaProbe's reason (e.g. "no NVIDIA driver (libcuda.so.1 not found)") where there is none.
 * Run only these with {@code mvn -o -pl engine -am test -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gpu")
@ExtendWith(GpuTest.Condition.class)
public @interface GpuTest {
    /** Enables the test only when the probe finds a usable device; the skip message is its reason. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            CudaProbe.Result probe = CudaProbe.probe();
            return probe.usable()
                    ? ConditionEvaluationResult.enabled("CUDA: " + probe.summary())
                    : ConditionEvaluationResult.disabled("needs a CUDA GPU: " + probe.summary());
        }
    }
}

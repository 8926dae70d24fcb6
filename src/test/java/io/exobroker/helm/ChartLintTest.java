package io.exobroker.helm;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChartLintTest {

    @Test
    void passesHelmLint() {
        LintResult result = ChartUnderTest.lint(false);

        assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[ERROR]"));
    }

    @Test
    void passesHelmLintStrictWithNoWarnings() {
        LintResult result = ChartUnderTest.lint(true);

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        // Only advice may remain (Helm's [INFO] "icon is recommended"); a warning would fail --strict anyway.
        assertThat(result.getMessages()).allMatch(message -> message.startsWith("[INFO]"));
    }
}

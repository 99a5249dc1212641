package jgrad.train;

/**
 * A value of a {@link TrainConfig} outside what is allowed. The same checks serve the command line
 * and a checkpoint's stored config, so the exception keeps the parts (which field, which value,
 * what is allowed) and each caller words them for its reader: {@link #asOption()} for a command
 * line ({@code --hidden needs one or more positive widths, got [0]}), {@link #getMessage()} for
 * anything else, a file in particular ({@code 'hidden' is [-5]; allowed: ...}), with no flag in it.
 */
public final class ConfigValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String value;
    private final String allowed;
    private final String optionWording;

    private ConfigValueException(String field, String value, String allowed, String optionWording) {
        super("'" + field + "' is " + value + "; allowed: " + allowed);
        this.field = field;
        this.value = value;
        this.allowed = allowed;
        this.optionWording = optionWording;
    }

    /**
     * A value outside a range: on a command line {@code --<option> must be <allowed>, got <value>}.
     *
     * @param field   the {@link TrainConfig} component (the key in a stored config)
     * @param allowed what may be given, phrased to follow "must be": "positive", "in [0, 1)"
     */
    static ConfigValueException range(String field, Object value, String allowed) {
        String v = String.valueOf(value);
        return new ConfigValueException(field, v, allowed, option(field) + " must be " + allowed + ", got " + v);
    }

    /**
     * A value whose command-line wording is its own: an unknown name (the parser's message), or a
     * value that conflicts with another field ("--dropout and --batch-norm apply to --model mlp only").
     */
    static ConfigValueException worded(String field, Object value, String allowed, String optionWording) {
        return new ConfigValueException(field, String.valueOf(value), allowed, optionWording);
    }

    /** The {@link TrainConfig} component that is wrong, as it is named in a stored config. */
    public String field() {
        return field;
    }

    /** The value as it was given (strings quoted). */
    public String value() {
        return value;
    }

    /** What is allowed instead. */
    public String allowed() {
        return allowed;
    }

    /** The message for a command line, naming the option ({@code --batch-size}) the field comes from. */
    public String asOption() {
        return optionWording;
    }

    /** The command-line option of a field: batchSize → --batch-size. */
    static String option(String field) {
        return "--" + field.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }
}

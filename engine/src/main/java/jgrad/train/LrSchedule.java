package jgrad.train;

import java.util.List;

/**
 * Learning rate per epoch. {@code constant} keeps the base rate; {@code cosine} is PyTorch's
 * CosineAnnealingLR with {@code eta_min = 0} stepped once per epoch (as the seed's ResNet runs do):
 * {@code lr(e) = lr · (1 + cos(π·e / T_max)) / 2} for the 0-based epoch e. The closed form is used,
 * so past {@code T_max} the rate rises again, as PyTorch's does. Steps within an epoch share its rate.
 */
public final class LrSchedule {
    public static final List<String> NAMES = List.of("constant", "cosine");

    private LrSchedule() {}

    static void checkName(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown --lr-schedule '" + name + "' (expected constant or cosine)");
        }
    }

    /**
     * @param epoch 0-based epoch
     * @param tMax  half-period in epochs (positive)
     */
    public static float at(String schedule, float baseLr, int epoch, int tMax) {
        checkName(schedule);
        if (schedule.equals("constant")) {
            return baseLr;
        }
        if (tMax <= 0) {
            throw new IllegalArgumentException("cosine schedule needs T_max > 0, got " + tMax);
        }
        return (float) (baseLr * 0.5 * (1.0 + Math.cos(Math.PI * epoch / tMax)));
    }
}

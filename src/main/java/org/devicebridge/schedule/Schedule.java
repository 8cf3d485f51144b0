package org.devicebridge.schedule;

import org.quartz.CronTrigger;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Optional;

/**
 * One configured schedule ({@code bridge.schedules.<name>.*}): when it fires and what it takes in.
 *
 * @param name    letters, digits, '-' and '_'; names the route ({@code schedule-<name>}), the Quartz trigger and the requests
 * @param cron    Quartz cron expression, seconds first ({@code 0 0 2 * * ?} = every day at 02:00)
 * @param zone    the time zone the expression is read in
 * @param source  a batch document (the JSON form of docs/batch-format.md), or a directory whose {@code *.json} documents are each taken in
 * @param misfire what Quartz does with a firing it missed
 */
public record Schedule(String name, String cron, ZoneId zone, Path source, Misfire misfire) {

    /**
     * What happens to a firing missed by more than {@code bridge.quartz.misfire-threshold}: the
     * bridge was down at its time (JDBC store only: the RAM store forgets its triggers on
     * shutdown), or every scheduler thread was busy.
     */
    public enum Misfire {
        /** Fire once as soon as possible, however many firings were missed (Quartz's MISFIRE_INSTRUCTION_FIRE_ONCE_NOW). */
        RUN_ONCE("run-once", CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW),
        /** Leave the missed firings out; wait for the next one on the schedule (MISFIRE_INSTRUCTION_DO_NOTHING). */
        SKIP("skip", CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING);

        private final String key;
        private final int quartzInstruction;

        Misfire(String key, int quartzInstruction) {
            this.key = key;
            this.quartzInstruction = quartzInstruction;
        }

        /** The configuration value: {@code run-once} or {@code skip}. */
        public String key() {
            return key;
        }

        /** The value of Quartz's {@code CronTrigger} misfire instruction. */
        public int quartzInstruction() {
            return quartzInstruction;
        }

        /** The policy named {@code key}, ignoring case. */
        public static Optional<Misfire> of(String key) {
            return Arrays.stream(values()).filter(m -> m.key.equalsIgnoreCase(key)).findFirst();
        }
    }
}

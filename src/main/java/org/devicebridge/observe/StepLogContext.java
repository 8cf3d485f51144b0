package org.devicebridge.observe;

import org.apache.camel.Body;

/** The routes' way to {@link LogContext#enterStep}: the first step of each engine step's route. */
public class StepLogContext {

    public void enter(@Body Object body) {
        LogContext.enterStep(body);
    }
}

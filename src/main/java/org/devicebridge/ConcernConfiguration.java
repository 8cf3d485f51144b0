package org.devicebridge;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the configuration class of each concern shares. Camel's bean post processor binds the
 * class's {@code @BindToRegistry} methods, after it has injected the {@code @PropertyInject}
 * settings and the {@code @BeanInject} beans of the concerns before it ({@link BridgeConfiguration}
 * runs the classes in order); then {@link #configure} joins the beans (listeners, services).
 * <p>
 * Camel orders a class's {@code @BindToRegistry} methods by a guess from their parameter types,
 * not by their dependencies, so a bean that another bean of the same class takes is made
 * {@link #once}: whichever method asks first makes it, and both get the same instance.
 */
abstract class ConcernConfiguration implements CamelConfiguration, CamelContextAware {

    private final Map<String, Object> made = new HashMap<>();
    private CamelContext context;

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    /** The checked settings: numbers, durations, switches and secrets, each error naming its key. */
    protected Settings settings() {
        return new Settings(context);
    }

    /** The one instance of the bean {@code name} of this class. */
    @SuppressWarnings("unchecked")
    protected <T> T once(String name, Supplier<T> make) {
        Object bean = made.get(name);
        if (bean == null) {
            bean = make.get();
            made.put(name, bean);
        }
        return (T) bean;
    }

    /** Nothing to join by default: the class only binds beans. */
    @Override
    public void configure(CamelContext context) throws Exception {
    }
}

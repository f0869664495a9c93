package io.tocsin.platform.events;

import java.lang.reflect.Method;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.StaticMethodMatcherPointcutAdvisor;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps what a listener of a durable event threw, for the store to record when Spring Modulith
 * marks the publication failed: the registry hands the store only the publication's id, and an
 * operator deciding whether to retry a dead publication needs the error.
 *
 * <p>It wraps the same listener methods as Modulith's completion advice, just inside it, so that
 * the failure is kept on the listener's thread right before Modulith marks it failed there. Each
 * invocation forgets the previous one's failure, so a kept failure never outlives its own.
 */
final class ListenerFailures extends StaticMethodMatcherPointcutAdvisor {

  private static final ThreadLocal<@Nullable Throwable> LAST = new ThreadLocal<>();

  /** Just inside Spring Modulith's completion advice (its order is highest precedence + 10). */
  static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

  ListenerFailures() {
    setAdvice(
        (MethodInterceptor)
            (MethodInvocation invocation) -> {
              LAST.remove();
              try {
                return invocation.proceed();
              } catch (Throwable failure) {
                LAST.set(failure);
                throw failure;
              }
            });
    setOrder(ORDER);
  }

  @Override
  public boolean matches(Method method, Class<?> targetClass) {
    return isDurableListener(method);
  }

  /** Whether Modulith keeps a publication for this listener: it runs after the commit. */
  static boolean isDurableListener(Method method) {
    TransactionalEventListener listener =
        AnnotatedElementUtils.findMergedAnnotation(method, TransactionalEventListener.class);
    return listener != null && listener.phase() == TransactionPhase.AFTER_COMMIT;
  }

  /** What the last listener invocation on this thread threw, if it failed; forgotten once read. */
  static @Nullable Throwable take() {
    Throwable failure = LAST.get();
    LAST.remove();
    return failure;
  }
}

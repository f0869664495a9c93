# Tocsin container image. Not built by CI (this machine has no Docker engine); its structure is
# checked by DeploymentFilesTests.

FROM eclipse-temurin:25.0.3_9-jdk-jammy AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -ntp dependency:go-offline
COPY src src
# The launch directory is made below, on the runtime image's own JVM: a class archive fits one
# JVM build only.
RUN ./mvnw -B -ntp package -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true -Dexec.skip

FROM eclipse-temurin:25.0.3_9-jre-jammy
# curl for the HEALTHCHECK below and the training start; python3 finds the training start a port.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl python3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tocsin \
 && useradd --system --uid 10001 --gid tocsin --home-dir /var/lib/tocsin --create-home tocsin
ENV TOCSIN_DATA_DIR=/var/lib/tocsin \
    TOCSIN_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
COPY --from=build /src/target/tocsin.jar /tmp/tocsin.jar
COPY src/main/dist /tmp/dist
# The extracted jar, the launcher and an AOT cache written by one training start of this JVM, with
# the options above: the container is ready in less than half the time of `java -jar`
# (docs/benchmarks.md).
RUN bash /tmp/dist/prepare /tmp/tocsin.jar /opt/tocsin java && rm -rf /tmp/tocsin.jar /tmp/dist
USER 10001:10001
WORKDIR /var/lib/tocsin
VOLUME /var/lib/tocsin
EXPOSE 8080
# Readiness, not liveness: an unhealthy container is reported, not restarted, so a database outage
# never turns into a restart loop; the process recovers by itself when the database is back.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/actuator/health/readiness >/dev/null || exit 1
ENTRYPOINT ["/opt/tocsin/tocsin"]

# Tocsin container image. Not built by CI (this machine has no Docker engine); its structure is
# checked by DeploymentFilesTests.

FROM eclipse-temurin:17.0.15_6-jdk-jammy AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -ntp package -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true

FROM eclipse-temurin:17.0.15_6-jre-jammy
# curl only for the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 tocsin \
 && useradd --system --uid 10001 --gid tocsin --home-dir /var/lib/tocsin --create-home tocsin
COPY --from=build /src/target/tocsin.jar /opt/tocsin/tocsin.jar
ENV TOCSIN_DATA_DIR=/var/lib/tocsin \
    TOCSIN_PORT=8080 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
WORKDIR /var/lib/tocsin
VOLUME /var/lib/tocsin
EXPOSE 8080
# Readiness, not liveness: an unhealthy container is reported, not restarted, so a database outage
# never turns into a restart loop; the process recovers by itself when the database is back.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/actuator/health/readiness >/dev/null || exit 1
ENTRYPOINT ["java", "-jar", "/opt/tocsin/tocsin.jar"]

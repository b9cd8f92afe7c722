# The sensor's JVM options, sourced by ./sensorfleet and by the benchmarks (bench/proxy.sh, bench/messaging.sh), so
# that what a benchmark runs beside the sensor runs as the sensor does. Defines two bash arrays; runs nothing.

# Same flags as the parent pom's argLine (dependencies.md: Pekko's Unsafe, FFM native access, virtual threads).
JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
           --add-opens=java.base/java.lang=ALL-UNNAMED)
# The sensor's garbage collector, unless JAVA_OPTS names one (-XX:+Use...GC): the parallel collector with a fixed
# 256 MiB young generation. The sensor's live set is small (~40 MB) and it allocates ~25 KB per API or proxied
# request, so at 2,000 requests/s a young collection comes every few seconds and, copying little, stops it for a few
# ms. G1, the JVM's own choice, sizes its young generation for its 200 ms pause goal and paused four times as long,
# which landed in the UI proxy's tail; a 64 MiB young generation paused as briefly but four times as often
# (docs/benchmarks.md, issue 6). MetaspaceSize: the first 128 MiB of loaded classes trigger no collection (the
# parallel collector would make each a full one, 0.1-0.8 s, while the sensor warms up).
SENSOR_GC=(-XX:+UseParallelGC -Xmn256m -XX:MetaspaceSize=128m)

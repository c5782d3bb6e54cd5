// The soak's platform server, in its own process so its request log does not count against the
// client's heap: the local fake platform with a rate limit high enough never to trip (the soak
// injects its 429s on purpose) and 1 ms between streamed words. Prints one line with the URL.
import { startPlatform } from "../../www/platform/server.mjs";

const platform = await startPlatform({ port: 0, host: "127.0.0.1", rateLimit: { limit: 1e9, windowMs: 60_000 }, streamDelayMs: 1 });
console.log(`soak-platform ${platform.url}`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, async () => { await platform.close(); process.exit(0); });

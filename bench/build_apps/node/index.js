// The benchmark's Node app: an Express service that loads everything it installs.
const deps = ["axios", "bcryptjs", "compression", "cors", "dotenv", "helmet", "ioredis", "joi",
  "jsonwebtoken", "mongoose", "morgan", "multer", "socket.io", "uuid", "winston"];
deps.forEach((name) => require(name));
const express = require("express");

const VERSION = "v1";
const app = express();
app.get("/", (req, res) => res.json({ version: VERSION }));

if (process.env.BENCH_SMOKE) {
  let extra = [];
  try { require.resolve("dayjs"); extra = ["dayjs"]; } catch (e) { /* not installed yet */ }
  console.log("ok", VERSION, deps.length + 1, ...extra);
} else {
  app.listen(3000);
}

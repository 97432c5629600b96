-- The nightly check-in as 50 people send it: PUT /api/v1/journal/{night} with each person's
-- session cookie and CSRF token (the file named by $SESSIONS: "cookie csrf" per line), nights spread over the
-- last NIGHTS_BACK nights (default 1,000: about three years).
local sessions = {}
local counter = 0
local nights_back = tonumber(os.getenv("NIGHTS_BACK") or "1000")

function init(args)
  for line in io.lines(os.getenv("SESSIONS") or "sessions.txt") do
    local cookie, csrf = line:match("^(%S+) (%S+)$")
    if cookie then sessions[#sessions + 1] = { cookie = cookie, csrf = csrf } end
  end
  math.randomseed(os.time() + (args[1] and tonumber(args[1]) or 0))
end

function request()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  local t = os.time() - 86400 * math.random(1, nights_back)
  local night = os.date("!%Y-%m-%d", t)
  local body = string.format('{"severity":%d,"caffeine_mg":%d}', math.random(0, 10), 100 * math.random(0, 3))
  return wrk.format("PUT", "/api/v1/journal/" .. night, {
    ["Content-Type"] = "application/json",
    ["Cookie"] = s.cookie,
    ["X-CSRF-Token"] = s.csrf,
  }, body)
end

-- A signed-in page (path in the PAGE environment variable) fetched by 50 different people.
local sessions = {}
local counter = 0
local page = os.getenv("PAGE") or "/tonight"

function init(args)
  for line in io.lines(os.getenv("SESSIONS") or "sessions.txt") do
    local cookie = line:match("^(%S+) ")
    if cookie then sessions[#sessions + 1] = cookie end
  end
end

function request()
  counter = counter + 1
  return wrk.format("GET", page, { ["Cookie"] = sessions[(counter % #sessions) + 1] })
end

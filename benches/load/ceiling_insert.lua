-- The ceiling: one PUT, one single-row INSERT, nothing else.
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("PUT", "/insert/" .. counter, { ["Content-Type"] = "application/json" }, '{"severity":5}')
end

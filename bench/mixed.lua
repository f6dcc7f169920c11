-- 100k mixed requests for the RSS row (bench/scale.py): reads of every API, token requests and
-- replies, in a fixed cycle; the thread stops after the count given as the first argument.
-- Arguments: count, athena bearer, athena basic, token path, inbox, thread, sent (offset appended),
-- oracle list, oracle bearer, mdhq list, mdhq basic, reply path.
local requests = {}
local limit, done = 0, 0

function init(args)
  limit = tonumber(args[1])
  local bearer, basic = args[2], args[3]
  local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  local function with(h, extra)
    local t = {}
    for k, v in pairs(h) do t[k] = v end
    for k, v in pairs(extra or {}) do t[k] = v end
    return t
  end
  local read = { Authorization = bearer }
  local cycle = {}
  for i = 0, 9 do
    table.insert(cycle, wrk.format("GET", args[5], read))
    table.insert(cycle, wrk.format("GET", args[6], read))
    table.insert(cycle, wrk.format("GET", args[7] .. tostring(i * 10), read))
    table.insert(cycle, wrk.format("GET", args[8], { Authorization = args[9] }))
    table.insert(cycle, wrk.format("GET", args[10], { Authorization = args[11] }))
    table.insert(cycle, wrk.format("POST", args[4], with(form, { Authorization = basic }), "grant_type=client_credentials"))
  end
  -- One reply per 60 requests: the thread grows slowly, as a real one would.
  table.insert(cycle, wrk.format("POST", args[12], with(form, read), "text=bench+reply"))
  requests = cycle
end

function request()
  done = done + 1
  return requests[(done % #requests) + 1]
end

function response(status, headers, body)
  if done >= limit then
    wrk.thread:stop()
  end
end

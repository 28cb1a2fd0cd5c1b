-- Drives one benchmark scenario from wrk. Arguments after `--`:
--   mode: get | get_identity | card | claim_release | note | create | claim_next | agent
--         | poll | v1_claim_release | v1_comment (the URL's path is the /api/v1 board)
-- Every request says Accept-Encoding: gzip, as HTTP clients and browsers do (the
-- server then sends large answers gzipped); get_identity leaves it out.
--   ids:  path of a file with one card id per line (for the modes that need cards)
--   agent: name the claiming modes use (concurrent runs must not share one)
-- Prints one JSON line with the counts and latency percentiles when done.

local mode, ids, calls, released = "get", {}, 0, {}
local agent = "bench-agent"
local to_note, cursor = {}, nil
local json_headers = { ["Content-Type"] = "application/json" }

function init(args)
  mode = args[1] or "get"
  if args[2] and args[2] ~= "" then
    for line in io.lines(args[2]) do ids[#ids + 1] = line end
  end
  agent = args[3] or agent
  if mode ~= "get_identity" then wrk.headers["Accept-Encoding"] = "gzip" end
  math.randomseed(os.time())
  -- Only these read bodies; handing wrk a response() costs the others time.
  if mode ~= "claim_next" and mode ~= "agent" and mode ~= "poll" then response = nil end
end

local function any_card()
  return ids[math.random(#ids)]
end

function request()
  calls = calls + 1
  if mode == "card" then
    return wrk.format("GET", "/api/cards/" .. any_card())
  elseif mode == "claim_release" then
    -- Pairs on one card: claim (the same agent renews), then release.
    local card = ids[math.floor((calls - 1) / 2) % #ids + 1]
    if calls % 2 == 1 then
      return wrk.format("POST", "/api/cards/" .. card .. "/claim", json_headers,
        '{"agent": "' .. agent .. '", "ttl_seconds": 300}')
    end
    return wrk.format("POST", "/api/cards/" .. card .. "/release?agent=" .. agent)
  elseif mode == "v1_claim_release" then
    -- The /api/v1 twin of claim_release, under the board path wrk was given.
    local card = ids[math.floor((calls - 1) / 2) % #ids + 1]
    local action = (calls % 2 == 1) and "/claim" or "/release"
    return wrk.format("POST", wrk.path .. "/tasks/" .. card .. action .. "?actor=" .. agent)
  elseif mode == "v1_comment" then
    return wrk.format("POST", wrk.path .. "/tasks/" .. any_card() .. "/comment", json_headers,
      '{"actor_name": "bench", "message": "Progress: step ' .. calls .. ' finished, tests green."}')
  elseif mode == "note" then
    return wrk.format("POST", "/api/cards/" .. any_card() .. "/notes", json_headers,
      '{"author": "bench", "content": "Progress: step ' .. calls .. ' finished, tests green."}')
  elseif mode == "create" then
    return wrk.format("POST", "/api/cards", json_headers,
      '{"title": "Benchmark card ' .. calls .. '", "description": "Created by the benchmark.",' ..
      ' "priority": "normal", "tags": ["bench"], "created_by": "bench"}')
  elseif mode == "claim_next" then
    -- claim-next, then release what it handed out, so the pool never drains.
    local card = table.remove(released)
    if card then
      return wrk.format("POST", "/api/cards/" .. card .. "/release?agent=" .. agent)
    end
    return wrk.format("POST", "/api/cards/claim-next", json_headers,
      '{"agent": "' .. agent .. '", "ttl_seconds": 300}')
  elseif mode == "agent" then
    -- An agent's loop: claim-next, note on the card, release it.
    local card = table.remove(released)
    if card then
      return wrk.format("POST", "/api/cards/" .. card .. "/release?agent=" .. agent)
    end
    card = table.remove(to_note)
    if card then
      released[#released + 1] = card
      return wrk.format("POST", "/api/cards/" .. card .. "/notes", json_headers,
        '{"author": "' .. agent .. '", "content": "Step ' .. calls .. ' done, tests green."}')
    end
    return wrk.format("POST", "/api/cards/claim-next", json_headers,
      '{"agent": "' .. agent .. '", "ttl_seconds": 300}')
  elseif mode == "poll" and cursor then
    -- A poller follows the cursor each answer hands back.
    return wrk.format("GET", "/api/changes?after=" .. cursor .. "&limit=100")
  end
  return wrk.format("GET", wrk.path)
end

function response(status, headers, body)
  if mode == "claim_next" and status == 200 then
    local card = string.match(body, '"id":"(card%-%x+)"')
    if card then released[#released + 1] = card end
  elseif mode == "agent" and status == 200 then
    local card = string.match(body, '"id":"(card%-%x+)"')
    if card then to_note[#to_note + 1] = card end
  elseif mode == "poll" and status == 200 then
    local seen = tonumber(string.match(body, '"cursor":(%d+)'))
    if seen and (cursor == nil or seen > cursor) then cursor = seen end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "non_2xx_3xx": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50), latency:percentile(99), latency.mean))
end

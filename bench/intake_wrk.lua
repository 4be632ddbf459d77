-- wrk script: POST pre-signed WhatsApp webhooks, each with its own message id.
-- Arguments: <file of "signature<TAB>body" lines> <number of wrk threads>.
-- Every request is formatted once, in init, so that the load generator spends no more per
-- request on the webhook than on the hello view (it shares the machine with the server).
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local requests, n = {}, 0
function init(args)
  local nthreads = tonumber(args[2])
  local line_no = 0
  for line in io.lines(args[1]) do
    if line_no % nthreads == tid then
      local tab = string.find(line, "\t", 1, true)
      n = n + 1
      requests[n] = wrk.format("POST", "/intake/whatsapp/",
        {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = string.sub(line, 1, tab - 1)},
        string.sub(line, tab + 1))
    end
    line_no = line_no + 1
  end
end

local i = 0
function request()
  i = i % n + 1
  return requests[i]
end

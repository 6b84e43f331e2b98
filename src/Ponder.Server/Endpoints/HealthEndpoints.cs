using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary><c>GET /health</c>: liveness and load for an orchestrator (open even with an API key).
/// 503 while shutting down, so a load balancer stops sending work.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (ServerState s) =>
        {
            var st = s.Model.Engine.Stats;
            var body = new HealthResponse(s.ShuttingDown ? "shutting_down" : "ok", s.Model.Id, st.Running, st.Waiting,
                st.Kv.Total, st.Kv.Used, Environment.WorkingSet, GC.GetGCMemoryInfo().HeapSizeBytes);
            return TypedResults.Json(body, ApiJson.Options, statusCode: s.ShuttingDown ? 503 : 200);
        });
        return app;
    }
}

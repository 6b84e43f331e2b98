using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the one model this server holds.</summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (ServerState s) => TypedResults.Json(new ModelList([Card(s.Model)]), ApiJson.Options));
        app.MapGet("/v1/models/{id}", (string id, ServerState s) => id == s.Model.Id
            ? TypedResults.Json(Card(s.Model), ApiJson.Options)
            : throw new ApiException(404, $"the model '{id}' does not exist; this server serves '{s.Model.Id}'", "model", "model_not_found"));
        return app;
    }

    static ModelCard Card(PonderModel m) => new(m.Id, m.Created, "ponder", m.ContextLength);
}

package dev.loupe.serve.http;

/**
 * A request the server refuses, with the HTTP status and the OpenAI error type and parameter to report.
 * Thrown from handlers; {@link ErrorResponses} renders it in the calling API's own error shape.
 */
public final class ApiError extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    static ApiError badRequest(String message, String param) {
        return new ApiError(400, "invalid_request_error", message, param, null);
    }

    static ApiError badRequest(String message) {
        return badRequest(message, null);
    }

    static ApiError notFound(String message, String code) {
        return new ApiError(404, "not_found_error", message, null, code);
    }

    static ApiError unauthorized() {
        return new ApiError(401, "authentication_error", "missing or invalid API key: send 'Authorization: Bearer KEY'",
                null, "invalid_api_key");
    }

    static ApiError busy(String message) {
        return new ApiError(429, "rate_limit_error", message, null, "server_busy");
    }

    static ApiError internal(String message) {
        return new ApiError(500, "server_error", message, null, null);
    }
}

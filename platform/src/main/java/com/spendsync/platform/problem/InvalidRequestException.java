package com.spendsync.platform.problem;

import java.util.List;

/** The request is well-formed JSON but breaks the contract's limits: 400 with every field at fault. */
public class InvalidRequestException extends RuntimeException {

    private final List<FieldProblem> errors;

    public InvalidRequestException(List<FieldProblem> errors) {
        super("the request has invalid fields");
        this.errors = List.copyOf(errors);
    }

    public InvalidRequestException(String field, String message) {
        this(List.of(new FieldProblem(field, message)));
    }

    public List<FieldProblem> errors() {
        return errors;
    }
}
